import Foundation

/// An output file that appears only when complete: data go to a temporary file, which ``commit()`` moves to the
/// destination. Abandoned (or never committed) outputs leave nothing behind, and the temporary file is registered
/// with ``PartialFiles`` so that SIGINT or SIGTERM removes it too.
///
/// What the destination may be (one rule for every writer):
/// - absent or a regular file: the temporary file sits beside it and is renamed over it;
/// - a symbolic link (to either of those): the link is followed and its final target is replaced; the link stays;
/// - a FIFO or a character device (`/dev/null`, `/dev/stdout`, a terminal): it is never replaced; the finished
///   output is staged in the temporary folder and its bytes are written into the device or FIFO on ``commit()``
///   (a FIFO blocks until a reader opens it);
/// - anything else (a directory, a block device, a socket) is refused.
///
/// Inputs are protected: creating an output whose path resolves to one of `inputs` throws.
public final class AtomicOutput {
    /// The final path, as given.
    public let destination: String
    /// Where the data are written until ``commit()``.
    public let temporaryPath: String
    /// The path the temporary file is renamed to (the destination with its links followed), or `nil` when the
    /// destination is a FIFO or a character device that receives the bytes instead.
    public let renameTarget: String?
    private var finished = false

    /// Checks the destination and reserves a temporary path (the file itself is not created).
    /// - Parameters:
    ///   - destination: the final path.
    ///   - inputs: paths that must not be overwritten.
    /// - Throws: ``AudioIOError/outputDirectoryMissing(path:)``, ``AudioIOError/outputOverwritesInput(path:)``,
    ///   ``AudioIOError/isDirectory(path:)``, ``AudioIOError/notAFile(path:kind:)``.
    public init(destination: String, inputs: [String] = []) throws(AudioIOError) {
        let target: String?
        switch OutputPath.kind(of: destination) {
        case .directory: throw .isDirectory(path: destination)
        case .other(let kind): throw .notAFile(path: destination, kind: kind)
        case .stream: target = nil
        case .file, .absent:
            let resolved = OutputPath.followingLinks(destination)
            let folder = URL(fileURLWithPath: resolved).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .outputDirectoryMissing(path: folder)
            }
            target = resolved
        }
        let resolved = OutputPath.resolved(destination)
        for input in inputs where input != "-" && OutputPath.resolved(input) == resolved {
            throw .outputOverwritesInput(path: destination)
        }
        self.destination = destination
        self.renameTarget = target
        let url = URL(fileURLWithPath: target ?? destination)
        let ext = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
        let unique = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        let name = ".\(url.lastPathComponent).\(unique).partial\(ext)"
        self.temporaryPath = target != nil
            ? ((url.deletingLastPathComponent().path as NSString).appendingPathComponent(name))
            : (NSTemporaryDirectory() as NSString).appendingPathComponent("sepkws" + name)
        PartialFiles.register(temporaryPath)
    }

    deinit { if !finished { remove() } }

    /// Moves the finished temporary file to the destination: a rename, or a copy of its bytes into a FIFO or device.
    /// - Throws: ``AudioIOError/writeFailed(path:reason:)`` if that fails (the temporary file is removed).
    public func commit() throws(AudioIOError) {
        precondition(!finished, "output already finished")
        finished = true
        defer { remove() }
        if let renameTarget {
            if rename(temporaryPath, renameTarget) != 0 {
                throw .writeFailed(path: destination, reason: String(cString: strerror(errno)))
            }
        } else {
            try OutputPath.copyBytes(from: temporaryPath, into: destination)
        }
    }

    /// Deletes the temporary file; the destination is untouched.
    public func abandon() {
        guard !finished else { return }
        finished = true
        remove()
    }

    private func remove() {
        try? FileManager.default.removeItem(atPath: temporaryPath)
        PartialFiles.unregister(temporaryPath)
    }

    /// Writes `data` to `destination` atomically.
    public static func write(_ data: Data, to destination: String, inputs: [String] = []) throws(AudioIOError) {
        let output = try AtomicOutput(destination: destination, inputs: inputs)
        do {
            try data.write(to: URL(fileURLWithPath: output.temporaryPath))
        } catch {
            output.abandon()
            throw .writeFailed(path: destination, reason: FileSystemMessage.reason(error))
        }
        try output.commit()
    }
}
