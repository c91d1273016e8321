import Foundation

/// A JSON-lines log that a batch run appends to as it goes (`separate --manifest`): one object per line, each line
/// written whole with one `write` to a file opened for appending, so a killed run leaves every finished line, and
/// runs of several shards may share one file.
public final class ManifestLog {
    public let path: String
    private let handle: FileHandle

    /// Opens (creating if needed) `path` for appending.
    /// - Throws: `AudioIOError.outputFailed` naming the path when it cannot be opened.
    public init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw AudioIOError.outputFailed(path: path, reason: "cannot be opened for appending (\(String(cString: strerror(errno))))")
        }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// Appends `value` as one ``JSONLine`` (keys sorted).
    public func append<T: Encodable>(_ value: T) throws {
        try handle.write(contentsOf: Data((try JSONLine.encode(value) + "\n").utf8))
    }
}
