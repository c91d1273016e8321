import Foundation

/// Writes a 2-D float32 NumPy `.npy` file (format 1.0, little-endian, C order) row by row, without knowing the
/// number of rows in advance: the header is written with room to spare and rewritten with the final shape on
/// ``finish()``. The file appears at its destination only when complete (see `AtomicOutput`).
public final class NumpyWriter {
    /// Values per row.
    public let columns: Int
    public private(set) var rows = 0
    private let output: AtomicOutput
    private let handle: FileHandle
    private var pending = Data()
    private static let headerLength = 128

    /// - Throws: `AudioIOError` if the destination cannot be created.
    public init(path: String, columns: Int, inputs: [String]) throws {
        self.columns = columns
        output = try AtomicOutput(destination: path, inputs: inputs)
        guard FileManager.default.createFile(atPath: output.temporaryPath, contents: Self.header(rows: 0, columns: columns)),
            let handle = FileHandle(forWritingAtPath: output.temporaryPath)
        else { throw AudioIOError.writeFailed(path: path, reason: "cannot create file") }
        self.handle = handle
        handle.seekToEndOfFile()
    }

    /// Appends one row `[columns]`.
    public func append(_ row: UnsafeBufferPointer<Float>) throws {
        precondition(row.count == columns)
        pending.append(UnsafeBufferPointer(start: UnsafeRawPointer(row.baseAddress!).assumingMemoryBound(to: UInt8.self), count: row.count * 4))
        rows += 1
        if pending.count >= 1 << 20 { try flush() }
    }

    /// Writes the final header and renames the file into place.
    public func finish() throws {
        try flush()
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Self.header(rows: rows, columns: columns))
        try handle.close()
        try output.commit()
    }

    private func flush() throws {
        do {
            try handle.write(contentsOf: pending)
        } catch {
            output.abandon()
            throw AudioIOError.writeFailed(path: output.destination, reason: FileSystemMessage.reason(error))
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// The magic, version, and a dictionary padded with spaces to a fixed total of 128 bytes.
    public static func header(rows: Int, columns: Int) -> Data {
        var dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let prefix = 10
        dictionary += String(repeating: " ", count: headerLength - prefix - dictionary.utf8.count - 1) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(dictionary.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(contentsOf: Array(dictionary.utf8))
        return data
    }
}
