import Foundation

/// An output file that appears only when complete: data go to a temporary file in the destination's folder,
/// which ``commit()`` renames over the destination. Abandoned (or never committed) outputs leave nothing behind.
///
/// Inputs are protected: creating an output whose path resolves to one of `inputs` throws.
public final class AtomicOutput {
    /// The final path.
    public let destination: String
    /// Where the data are written until ``commit()``.
    public let temporaryPath: String
    private var finished = false

    /// Checks the destination and reserves a temporary path beside it (the file itself is not created).
    /// - Parameters:
    ///   - destination: the final path.
    ///   - inputs: paths that must not be overwritten.
    /// - Throws: ``AudioIOError/outputDirectoryMissing(path:)``, ``AudioIOError/outputOverwritesInput(path:)``,
    ///   ``AudioIOError/isDirectory(path:)``.
    public init(destination: String, inputs: [String] = []) throws(AudioIOError) {
        let url = URL(fileURLWithPath: destination)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .outputDirectoryMissing(path: folder)
        }
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .isDirectory(path: destination)
        }
        let resolved = url.resolvingSymlinksInPath().standardizedFileURL.path
        for input in inputs where input != "-" {
            if URL(fileURLWithPath: input).resolvingSymlinksInPath().standardizedFileURL.path == resolved {
                throw .outputOverwritesInput(path: destination)
            }
        }
        self.destination = destination
        let name = url.lastPathComponent
        let ext = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
        self.temporaryPath = URL(fileURLWithPath: folder)
            .appendingPathComponent(".\(name).\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max)).partial\(ext)")
            .path
    }

    deinit { if !finished { try? FileManager.default.removeItem(atPath: temporaryPath) } }

    /// Renames the temporary file over the destination.
    /// - Throws: ``AudioIOError/writeFailed(path:reason:)`` if the rename fails.
    public func commit() throws(AudioIOError) {
        precondition(!finished, "output already finished")
        finished = true
        if rename(temporaryPath, destination) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw .writeFailed(path: destination, reason: reason)
        }
    }

    /// Deletes the temporary file; the destination is untouched.
    public func abandon() {
        guard !finished else { return }
        finished = true
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }

    /// Writes `data` to `destination` atomically.
    public static func write(_ data: Data, to destination: String, inputs: [String] = []) throws(AudioIOError) {
        let output = try AtomicOutput(destination: destination, inputs: inputs)
        do {
            try data.write(to: URL(fileURLWithPath: output.temporaryPath))
        } catch {
            output.abandon()
            throw .writeFailed(path: destination, reason: error.localizedDescription)
        }
        try output.commit()
    }
}
