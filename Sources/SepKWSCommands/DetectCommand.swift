import ArgumentParser
import AudioIO
import Foundation
import TensorCore
import KeywordSpotting
import Streaming

/// `sepkws detect [-|FILE...]`: keyword events from a live pipe or from files, one JSON line each.
struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Spot keywords in a stream: one JSON line per event, flushed at once.",
        discussion: """
            Reads raw PCM from stdin (`-`, the default; e.g. `arecord -f S16_LE -r 16000 -c 1 | sepkws detect -`) or \
            audio files of any format and rate. A 1 s window is classified every --hop-ms; each watched keyword's \
            probability is smoothed, and an event fires when it stays above its threshold for --trigger-count hops; \
            then nothing fires for --refractory-ms. Each event is printed as \
            {"time": <s from the stream's start, at the end of the window that fired>, "keyword": ..., "score": ...} \
            (with "talker" under --separate and "file" for several files). Ends cleanly at end of input, on SIGINT or \
            SIGTERM, and when stdout is closed; a summary goes to stderr.
            """)

    @Argument(help: "`-` for raw PCM on stdin, or audio files.")
    var inputs: [String] = ["-"]

    @OptionGroup var detection: DetectionOptions

    @Option(help: "Sample rate of raw PCM on stdin (resampled to the model's).")
    var rate = 16_000

    /// `--pcm-format`, as in `separate`; `--format` is its old spelling, kept for existing scripts.
    @Option(name: [.customLong("pcm-format"), .customLong("format")], help: "Sample format of raw PCM on stdin: s16le or f32le (--format: the old spelling).")
    var pcmFormat: PCMSampleFormat = .s16le

    @Option(help: "Channels of raw PCM on stdin (mixed down).")
    var channels = 1

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        if inputs.isEmpty { inputs = ["-"] }
        guard inputs.filter({ $0 == "-" }).count <= 1 else { throw ValidationError("stdin (-) can be read only once") }
        try StdinPCMBounds.check(rate: rate, channels: channels)
    }

    func run() throws {
        threading.apply(default: 1)
        let spotter = try detection.loadSpotter()
        let settings = try detection.settings(for: spotter)
        let separation = try detection.separation()
        let stop = StopSignal()
        var failed = 0
        for input in inputs {
            if stop.isRequested { break }
            do {
                let detector = try KeywordDetector(spotter: spotter, hop: detection.hop(for: spotter), settings: settings, separation: separation)
                if try !detect(input, with: detector, stop: stop) { break }
            } catch let error as AudioIOError {
                Console.error("error: \(error)")
                failed += 1
            }
        }
        if failed > 0 { throw CommandFailure.someInputsFailed(failed: failed, total: inputs.count) }
    }

    /// Runs one input to its end (or a stop signal).
    /// - Returns: false when stdout was closed (nothing more can be reported).
    private func detect(_ input: String, with detector: KeywordDetector, stop: StopSignal) throws -> Bool {
        let started = ResourceUsage.processorSeconds
        let source: MonoBlockSource
        if input == "-" {
            let pipe = try PCMStreamReader(descriptor: STDIN_FILENO, source: "stdin", format: pcmFormat, sampleRate: rate, channelCount: channels)
            pipe.shouldStop = { stop.isRequested }
            source = try MonoBlockSource(stdin: pipe, modelRate: detector.sampleRate)
        } else {
            source = MonoBlockSource(file: try MonoReader(path: input, sampleRate: detector.sampleRate))
        }
        let name = input == "-" ? "stdin" : input
        var samples = 0, events = 0
        var reason = "end of input"
        func report(_ found: [KeywordEvent]) throws {
            for event in found {
                let line = KeywordEventLine(event, sampleRate: detector.sampleRate, numberingTalkers: detection.separate,
                                            file: inputs.count > 1 ? input : nil)
                try Console.line(try line.json())
                events += 1
            }
        }
        do {
            while let block = try source.next() {
                samples += block.count
                try report(try detector.push(block))
                if stop.isRequested { break }
            }
            if let signal = stop.signalNumber { reason = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)" }
            if samples == 0 && input != "-" { throw AudioIOError.noAudio(path: input) }
            try report(try detector.finish())
        } catch CommandFailure.brokenPipe {
            Console.error("detect: \(name): stdout was closed; stopping")
            return false
        }
        let seconds = Double(samples) / Double(detector.sampleRate)
        let elapsed = ResourceUsage.processorSeconds - started
        Console.error(String(format: "detect: %@: %.2f s of audio, %d events, ended by %@; CPU time per second of audio %.4f",
                             name, seconds, events, reason, seconds > 0 ? elapsed / seconds : 0))
        return true
    }
}
