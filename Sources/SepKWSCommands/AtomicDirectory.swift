import Foundation

/// A folder that appears only when complete: it is filled under `DIR.partial`, then renamed to `DIR` (replacing an
/// older `DIR`). A failure removes the partial folder and leaves any older `DIR` as it was.
enum AtomicDirectory {
    /// Fills a temporary folder beside `directory` and renames it into place.
    /// - Parameters:
    ///   - directory: the final folder.
    ///   - fill: writes the folder's files into the path it is given (the temporary folder, already created).
    static func write(_ directory: String, _ fill: (String) throws -> Void) throws {
        let temporary = directory + ".partial"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
            try fill(temporary)
            try? FileManager.default.removeItem(atPath: directory)
            try FileManager.default.moveItem(atPath: temporary, toPath: directory)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
