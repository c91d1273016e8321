import Foundation

/// What an output path names, and the path arithmetic outputs need: following links, comparing paths, and writing
/// into FIFOs and devices (see ``AtomicOutput`` for the rule).
public enum OutputPath {
    /// What exists at a path, links followed.
    public enum Kind: Equatable, Sendable {
        /// Nothing (or a link to nothing).
        case absent
        /// A regular file.
        case file
        /// A directory.
        case directory
        /// A FIFO or a character device (`/dev/null`, `/dev/stdout`, a terminal): written into, never replaced.
        case stream
        /// A block device or a socket, named for messages ("a block device").
        case other(String)
    }

    /// What `path` names, following symbolic links.
    public static func kind(of path: String) -> Kind {
        var status = stat()
        guard stat(path, &status) == 0 else { return .absent }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFIFO, S_IFCHR: return .stream
        case S_IFBLK: return .other("a block device")
        case S_IFSOCK: return .other("a socket")
        default: return .other("not a regular file")
        }
    }

    /// `path` with the symbolic links of its last component followed (a chain of at most 40), so that writing to the
    /// result replaces the link's target and keeps the link. A path that is not a link is returned as given.
    public static func followingLinks(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { return current }
            current = target.hasPrefix("/")
                ? target : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target)
        }
        return current
    }

    /// An absolute path with every link, `.` and `..` resolved (the folder's, and the file's if it is a link), for
    /// telling whether two paths name the same file, whether or not it exists yet.
    public static func resolved(_ path: String) -> String {
        let followed = followingLinks(path)
        if let real = realPath(followed) { return real }
        let url = URL(fileURLWithPath: followed).standardizedFileURL
        let folder = url.deletingLastPathComponent().path
        return ((realPath(folder) ?? folder) as NSString).appendingPathComponent(url.lastPathComponent)
    }

    private static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// Writes the bytes of the file at `source` into `destination` (opened for writing, neither created nor
    /// truncated: a FIFO or a device).
    /// - Throws: ``AudioIOError/writeFailed(path:reason:)``.
    static func copyBytes(from source: String, into destination: String) throws(AudioIOError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .writeFailed(path: destination, reason: String(cString: strerror(errno))) }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CLOEXEC)
        guard output >= 0 else { throw .writeFailed(path: destination, reason: String(cString: strerror(errno))) }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw .writeFailed(path: destination, reason: String(cString: strerror(errno))) }
            if got == 0 { return }
            var offset = 0
            while offset < got {
                let written = buffer.withUnsafeBytes { write(output, $0.baseAddress! + offset, got - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    throw .writeFailed(path: destination, reason: String(cString: strerror(errno)))
                }
                offset += written
            }
        }
    }
}
