import Foundation

/// A long-lived Python process that runs a script embedded in Swift and serves requests in order over pipes:
/// Kokoro (``KokoroWorkerScript``) and the Whisper judge (``WhisperWorkerScript``).
///
/// Answers are frames: a little-endian int32 `n`, then `n` units of the answer's unit size (4 for float32 samples,
/// 1 for UTF-8 text), or, when `n` is negative, an error message of `-n` UTF-8 bytes. One worker serves one caller
/// at a time; a worker that failed mid-answer is out of step and must be stopped, never reused.
final class PythonWorker: @unchecked Sendable {
    // @unchecked: the handles are used by one caller at a time (workers are handed out from a pool under a lock).
    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    /// The program's name in messages (`the Kokoro worker`).
    let name: String

    /// A failure of one request: the worker stopped (`stopped`, e.g. a missing package ended it at start), answered
    /// short, or reported an error.
    struct Failure: Error {
        let message: String
        var stopped = false
    }

    /// The folder `Datasets/install-engines` installs into: `$SEPKWS_ENGINES_HOME`, default `~/.local/share/sepkws`.
    static var home: String {
        ProcessInfo.processInfo.environment["SEPKWS_ENGINES_HOME"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share/sepkws")
    }

    /// The interpreter: `$SEPKWS_PYTHON`, else the venv of ``home``.
    static var python: String {
        ProcessInfo.processInfo.environment["SEPKWS_PYTHON"] ?? (home as NSString).appendingPathComponent("venv/bin/python")
    }

    /// Whether ``python`` exists and is executable.
    static var pythonExists: Bool { FileManager.default.isExecutableFile(atPath: python) }

    /// Starts `python -c script` with one compute thread (`OMP_NUM_THREADS=1`) and `environment` added.
    /// - Throws: ``Failure`` when the interpreter cannot start.
    init(script: String, name: String, environment extra: [String: String] = [:]) throws(Failure) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-c", script]
        var environment = ProcessInfo.processInfo.environment
        environment["OMP_NUM_THREADS"] = "1"
        for (key, value) in extra where environment[key] == nil { environment[key] = value }
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        do { try process.run() } catch {
            throw Failure(message: "\(Self.python) cannot start: \(error.localizedDescription)")
        }
        self.process = process
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
        self.name = name
    }

    /// Sends `request` and reads one answer frame of `unitSize`-byte units.
    /// - Returns: the answer's bytes (`n * unitSize`).
    /// - Throws: ``Failure`` with the worker's own message, or saying it stopped or answered short.
    func ask(_ request: Data, unitSize: Int) throws(Failure) -> Data {
        do { try input.write(contentsOf: request) } catch { throw Failure(message: "\(name) stopped (\(error))", stopped: true) }
        let header = read(4)
        guard header.count == 4 else { throw Failure(message: "\(name) exited (are its Python packages installed?)", stopped: true) }
        let count = header.withUnsafeBytes { Int(Int32(littleEndian: $0.loadUnaligned(as: Int32.self))) }
        if count < 0 { throw Failure(message: String(decoding: read(-count), as: UTF8.self)) }
        let body = read(unitSize * count)
        guard body.count == unitSize * count else { throw Failure(message: "\(name)'s answer was cut short") }
        return body
    }

    private func read(_ count: Int) -> Data {
        var data = Data()
        while data.count < count {
            guard let chunk = try? output.read(upToCount: count - data.count), !chunk.isEmpty else { break }
            data.append(chunk)
        }
        return data
    }

    /// Closes the worker's input and ends it.
    func stop() {
        try? input.close()
        process.terminate()
    }
}
