import Foundation

/// A JSON-lines log that a batch run appends to as it goes (`separate --manifest`): one object per line, each line
/// written whole with one `write` to a file opened for appending, so a killed run leaves every finished line, and
/// runs of several shards may share one file.
final class ManifestLog {
    let path: String
    private let handle: FileHandle

    /// Opens (creating if needed) `path` for appending.
    /// - Throws: `CommandFailure.modelFile`-style failure naming the path when it cannot be opened.
    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CommandFailure.inputList(path: path, line: nil, reason: "cannot be opened for appending (\(String(cString: strerror(errno))))")
        }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// Appends `object` as one line (keys sorted).
    func append(_ object: [String: Any]) throws {
        var data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        data.append(0x0A)
        try handle.write(contentsOf: data)
    }
}
