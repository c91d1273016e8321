import Foundation

/// Runs a synthesizer's program to completion: arguments, optional standard input, standard output back.
enum ChildProcess {
    /// Runs `program` (looked up in `PATH`) with `arguments`, feeding `input` on its standard input.
    /// - Returns: its standard output.
    /// - Throws: `failure(message)` with the program's standard error (or its exit status) when it cannot start
    ///   or exits with a non-zero status.
    static func run<E: Error>(_ program: String, _ arguments: [String], input: Data? = nil, environment: [String: String]? = nil,
                              failure: (String) -> E) throws(E) -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let inPipe = input.map { _ in Pipe() }
        process.standardInput = inPipe ?? FileHandle.nullDevice
        do { try process.run() } catch { throw failure("\(program) cannot start: \(error.localizedDescription)") }
        if let inPipe, let input {
            // Write from another thread so a program that answers before reading everything cannot block us.
            let writer = Thread {
                inPipe.fileHandleForWriting.write(input)
                try? inPipe.fileHandleForWriting.close()
            }
            writer.start()
        }
        // Drain stderr concurrently so a chatty program cannot fill its pipe and stall.
        nonisolated(unsafe) var message = Data()
        let drained = DispatchSemaphore(value: 0)
        Thread {
            message = err.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }.start()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let status = process.terminationReason == .exit ? "exited with status \(process.terminationStatus)"
                : "was killed by signal \(process.terminationStatus)"
            throw failure(text.isEmpty ? "\(program) \(status)" : "\(program) \(status): \(text.prefix(300))")
        }
        return data
    }

    /// Whether `program` is on the `PATH`.
    static func exists(_ program: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
    }
}
