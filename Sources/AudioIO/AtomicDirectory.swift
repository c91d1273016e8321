import Foundation

/// A folder that appears only when complete: it is filled under `DIR.partial`, then renamed to `DIR` (replacing an
/// older `DIR`). A failure, SIGINT or SIGTERM removes the partial folder and leaves any older `DIR` as it was.
///
/// The destination must be absent or a directory; a symbolic link to a directory is followed (its target is
/// replaced, the link stays). Anything else there (a file, a FIFO, a device) is refused, never replaced.
public enum AtomicDirectory {
    /// Fills a temporary folder beside `directory` and renames it into place.
    /// - Parameters:
    ///   - directory: the final folder.
    ///   - keepingOtherFiles: copy what an older `directory` holds and `fill` did not write (a model card, a
    ///     training folder) into the new one, instead of dropping it.
    ///   - fill: writes the folder's files into the path it is given (the temporary folder, already created).
    /// - Throws: `AudioIOError.outputFailed` when `directory` exists and is not a directory; what `fill` throws.
    public static func write(_ directory: String, keepingOtherFiles: Bool = false, _ fill: (String) throws -> Void) throws {
        switch OutputPath.kind(of: directory) {
        case .absent, .directory: break
        case .file: throw AudioIOError.outputFailed(path: directory, reason: "exists and is a file, not a directory; not replaced")
        case .stream: throw AudioIOError.outputFailed(path: directory, reason: "is a FIFO or a device, not a directory; not replaced")
        case .other(let kind): throw AudioIOError.outputFailed(path: directory, reason: "is \(kind), not a directory; not replaced")
        }
        let target = OutputPath.followingLinks(directory)
        let temporary = target + ".partial"
        try? FileManager.default.removeItem(atPath: temporary)
        PartialFiles.register(temporary)
        defer { PartialFiles.unregister(temporary) }
        do {
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
            try fill(temporary)
            if keepingOtherFiles, OutputPath.kind(of: target) == .directory {
                let written = Set(try FileManager.default.contentsOfDirectory(atPath: temporary))
                for name in try FileManager.default.contentsOfDirectory(atPath: target) where !written.contains(name) {
                    try FileManager.default.copyItem(atPath: (target as NSString).appendingPathComponent(name),
                                                     toPath: (temporary as NSString).appendingPathComponent(name))
                }
            }
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.moveItem(atPath: temporary, toPath: target)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
