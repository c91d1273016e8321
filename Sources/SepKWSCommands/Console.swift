import Foundation

/// Writing to the terminal: results on stdout, diagnostics on stderr.
enum Console {
    /// Writes `message` and a newline to stderr.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Writes `line` and a newline to stdout at once (unbuffered: a reader of a pipe sees each line as it is made).
    /// - Throws: `CommandFailure.brokenPipe` when stdout has been closed by its reader.
    static func line(_ line: String) throws {
        var bytes = Array((line + "\n").utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Foundation.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw errno == EPIPE ? CommandFailure.brokenPipe : CommandFailure.stdoutFailed(String(cString: strerror(errno)))
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
