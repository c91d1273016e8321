import AudioIO
import Foundation

/// A small CSV table (RFC 4180 quoting): a header row and string cells. Used for manifests and metadata.
public struct CSVTable: Sendable, Equatable {
    /// Column names.
    public var header: [String]
    /// Rows, each with one cell per column.
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    /// The cells of column `name` in row `row`, or `nil` if there is no such column.
    public func value(_ name: String, row: Int) -> String? {
        header.firstIndex(of: name).map { rows[row][$0] }
    }

    /// The indices of the columns `names`, in their order.
    /// - Parameters:
    ///   - path: the file the table was read from, for the error.
    ///   - kind: what the table is, for the error (`a keyword corpus's clips.csv`).
    /// - Throws: ``DatasetError/malformedManifest(path:line:reason:)`` naming the first missing column.
    public func columns(_ names: [String], path: String, kind: String) throws(DatasetError) -> [Int] {
        try names.map { name throws(DatasetError) in
            guard let column = header.firstIndex(of: name) else {
                throw .malformedManifest(path: path, line: 1, reason: "no \(name) column (\(kind) has \(names.joined(separator: ", ")))")
            }
            return column
        }
    }

    /// Reads and checks a CSV file: every row must have as many cells as the header.
    /// - Throws: `AudioIOError` if unreadable, ``DatasetError/malformedManifest(path:line:reason:)`` if malformed.
    public init(path: String) throws {
        try InputFile.validate(path)
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw AudioIOError.readFailed(path: path, reason: FileSystemMessage.reason(error))
        }
        var records = try Self.parse(text, path: path)
        guard !records.isEmpty else { throw DatasetError.malformedManifest(path: path, line: 1, reason: "no header row") }
        header = records.removeFirst().cells
        for record in records where record.cells.count != header.count {
            throw DatasetError.malformedManifest(
                path: path, line: record.line, reason: "\(record.cells.count) cells, the header has \(header.count)")
        }
        rows = records.map(\.cells)
    }

    /// The table as CSV text.
    public var text: String {
        ([header] + rows).map { $0.map(Self.quoted).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// Writes the table atomically (temporary file, then rename).
    public func write(to path: String) throws {
        try AtomicOutput.write(Data(text.utf8), to: path)
    }

    private static func quoted(_ cell: String) -> String {
        cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
    }

    private static func parse(_ text: String, path: String) throws -> [(line: Int, cells: [String])] {
        var records: [(Int, [String])] = []
        var cells: [String] = [], cell = "", inQuotes = false, line = 1, recordLine = 1
        var iterator = text.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { cell.append("\"") } else { inQuotes = false; pending = next }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    cell.append(c)
                }
                continue
            }
            switch c {
            case "\"" where cell.isEmpty: inQuotes = true
            case ",": cells.append(cell); cell = ""
            case "\n", "\r\n":
                cells.append(cell)
                if !(cells.count == 1 && cells[0].isEmpty) { records.append((recordLine, cells)) }
                cells = []; cell = ""; line += 1; recordLine = line
            case "\r": break
            default: cell.append(c)
            }
        }
        if inQuotes { throw DatasetError.malformedManifest(path: path, line: recordLine, reason: "unterminated quote") }
        if !cell.isEmpty || !cells.isEmpty { cells.append(cell); records.append((recordLine, cells)) }
        return records
    }
}
