import AudioIO
import Foundation

/// A run's CSV log (`RUN/log.csv`): a header, then one row per log interval, each written with one `write`
/// call as soon as it is made (nothing is buffered in the process).
///
/// Resuming keeps the rows up to the checkpoint's step and drops later ones (made after the last checkpoint by
/// a run that was then killed), so the log of a resumed run reads as if it had never stopped. A log whose columns
/// are the first of this build's (one written before a column was added) is continued with the new header, its
/// rows padded with empty values.
///
/// ```swift
/// let log = try TrainingLog(path: "runs/kws/log.csv", columns: ["step", "loss", "lr"], resumingAt: nil)
/// try log.append(["step": 100, "loss": 0.71, "lr": 1e-3])
/// ```
public final class TrainingLog {
    /// The CSV file.
    public let path: String
    /// Column names; the first is the step.
    public let columns: [String]
    private let handle: FileHandle

    /// Opens (or starts) the log.
    /// - Parameters:
    ///   - path: the CSV file.
    ///   - columns: column names, the step first.
    ///   - step: `nil` for a fresh run (the file is replaced by a header), or the step being resumed from
    ///     (rows after it are dropped; the header must match, or name the first columns of `columns`).
    /// - Throws: ``TrainingError/fileAccess(path:reason:)``, ``TrainingError/logMismatch(path:reason:)``.
    public init(path: String, columns: [String], resumingAt step: Int?) throws(TrainingError) {
        precondition(!columns.isEmpty, "TrainingLog needs columns")
        self.path = path
        self.columns = columns
        let header = columns.joined(separator: ",")
        var text = header + "\n"
        if let step, FileManager.default.fileExists(atPath: path) {
            let existing: String
            do { existing = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw .fileAccess(path: path, reason: FileSystemMessage.reason(error))
            }
            let lines = existing.split(separator: "\n", omittingEmptySubsequences: true)
            let old = lines.first.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
            guard !old.isEmpty, old.count <= columns.count, Array(columns.prefix(old.count)) == old else {
                throw .logMismatch(path: path, reason: "its header is not '\(header)'")
            }
            let padding = String(repeating: ",", count: columns.count - old.count)
            for line in lines.dropFirst() {
                guard let rowStep = line.split(separator: ",", omittingEmptySubsequences: false).first.flatMap({ Int($0) }) else { continue }
                if rowStep <= step { text += line + padding + "\n" }
            }
        }
        let runDirectory = (path as NSString).deletingLastPathComponent
        try TrainingCheckpoint.writeAtomically(Data(text.utf8), to: path, runDirectory: runDirectory.isEmpty ? "." : runDirectory)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw .fileAccess(path: path, reason: "cannot open for appending") }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Appends one row; columns without a value are left empty.
    /// - Parameter values: values by column name (the step as a number).
    /// - Throws: ``TrainingError/fileAccess(path:reason:)``.
    public func append(_ values: [String: Double]) throws(TrainingError) {
        let row = columns.map { name -> String in
            guard let v = values[name] else { return "" }
            if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
            return String(format: "%.6g", v)
        }
        do { try handle.write(contentsOf: Data((row.joined(separator: ",") + "\n").utf8)) } catch {
            throw .fileAccess(path: path, reason: FileSystemMessage.reason(error))
        }
    }
}
