import ArgumentParser
import AudioDatasets
import AudioIO
import Foundation
import Separation
import Streaming
import TensorCore

extension StemScaling: ExpressibleByArgument {}

/// `sepkws separate MIX...`: one file per talker for each mixture.
struct Separate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Separate overlapped talkers: writes STEM_s1.wav, STEM_s2.wav, ... for each mixture.",
        discussion: """
            Inputs may be any format, rate and channel count libsndfile reads (mixed down, resampled to the model's rate \
            and back), or folders of such files. The model is loaded once for all inputs.
            """)

    @Argument(help: "Mixture files or folders.")
    var inputs: [String] = []

    @Option(name: .customLong("inputs"), help: ArgumentHelp(
        "A file listing inputs, one per line: a path, or a JSON line with a \"file\" key (a --manifest line; \"input\", the key of older manifests, also reads); repeatable.",
        discussion: "Blank lines and lines starting with # are skipped; relative paths are relative to the current folder."))
    var inputLists: [String] = []

    @Option(help: ArgumentHelp(
        "Separate only shard K of N (1-based, e.g. 3/8): a fixed 1/N of the inputs, by a stable hash of each input's relative path.",
        discussion: "The N shards of one input set are disjoint and together make the whole run, byte for byte: give each task of a scheduler's array its own K (Slurm's SLURM_ARRAY_TASK_ID, Kubernetes' JOB_COMPLETION_INDEX + 1)."))
    var shard: String?

    @Flag(help: "Skip an input whose outputs all exist (outputs are written atomically, so an existing one is complete): a killed or preempted shard simply runs again.")
    var skipExisting = false

    @Option(help: ArgumentHelp(
        "Append one JSON line per input to this file: file, outputs, seconds, real_time_factor, status (ok, skipped or error) and error.",
        discussion: "An input that fails is recorded and the run goes on; the exit status is 1 if any failed."))
    var manifest: String?

    @Option(help: "With --out-dir, mirror every input's path relative to this folder (default: files found in a folder argument mirror their path in it; other files are written flat).")
    var relativeTo: String?

    @Option(help: "Model directory (config.json + model.safetensors). Default: the shipped model for the input's rate (16 kHz and up: mossformer2-16k if shipped; else mossformer2-8k).")
    var model: String?

    @Option(help: "Output folder (default: next to each input).")
    var outDir: String?

    @Option(help: "Output format: wav or flac.")
    var format: SeparatedFormat = .wav

    @Option(help: ArgumentHelp(
        "Output scaling: mixture (the gains that best rebuild the mixture: its own scale, relative levels kept), rms (each output at the mixture's RMS), peak, or none.",
        discussion: "Outputs that would clip are turned down together (their relative levels kept), with a warning; each output's level is reported."))
    var normalize: StemScaling = .mixture

    @Flag(help: "Print a JSON summary (one object per input, one per line) instead of text.")
    var json = false

    @OptionGroup var windows: SeparationWindowOptions

    @OptionGroup var averaging: TestTimeAveragingOptions

    @Option(help: "Sample rate of raw PCM read from stdin (`-`).")
    var rate = 16_000

    @Option(help: "Sample format of raw PCM read from stdin: s16le or f32le.")
    var pcmFormat: PCMSampleFormat = .s16le

    @Option(help: "Channels of raw PCM read from stdin.")
    var channels = 1

    @OptionGroup var threading: ThreadOptions

    enum SeparatedFormat: String, ExpressibleByArgument, CaseIterable {
        case wav, flac
        var audioFormat: AudioFileFormat { self == .wav ? .wav16 : .flac }
    }

    mutating func validate() throws {
        if inputs.isEmpty && inputLists.isEmpty {
            throw ValidationError("give at least one mixture file or folder (or - for stdin), or --inputs LIST")
        }
        _ = try shardIndex()
        try StdinPCMBounds.check(rate: rate, channels: channels)
    }

    /// `--shard K/N` as (index 0-based, count); (0, 1) without it.
    func shardIndex() throws -> (index: Int, count: Int) {
        guard let shard else { return (0, 1) }
        let parts = shard.split(separator: "/").map { Int($0) }
        guard parts.count == 2, let k = parts[0], let n = parts[1], n >= 1, n <= 1_000_000, (1...n).contains(k) else {
            throw ValidationError("--shard \(shard): give K/N with 1 <= K <= N <= 1000000, e.g. 3/8")
        }
        return (k - 1, n)
    }

    func run() throws {
        threading.apply()
        // A bad --model fails before any input is read.
        let selection = try SeparatorSelection(model: model, stdinRate: rate) { [averaging] in try averaging.check($0, model: $1) }
        if let outDir {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: outDir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw AudioIOError.outputDirectoryMissing(path: outDir)
            }
        }
        let (shardIndex, shardCount) = try shardIndex()
        let items = try SeparationInput.gather(arguments: inputs, lists: inputLists, relativeTo: relativeTo)
            .filter { $0.belongs(toShard: shardIndex, of: shardCount) }
        let files = items.map(\.path)
        // Every output is decided and checked before any input is separated.
        let plan = try SeparationOutputPlan(inputs: items, outDir: outDir, format: format.rawValue) { file in
            do { return try selection.separator(for: file).model.configuration.numSpks } catch is AudioIOError { return nil }
        }
        let planned = Dictionary(plan.entries.map { ($0.input, $0.outputs) }) { first, _ in first }
        let log = try manifest.map { try ManifestLog(path: $0) }
        var failed = 0
        for item in items {
            let file = item.path
            var destinations = planned[file] ?? []
            do {
                if skipExisting, !destinations.isEmpty, destinations.allSatisfy(SeparationOutputPlan.isComplete) {
                    try log?.append(SeparationLine.skipped(file: file, outputs: destinations))
                    if !json { Console.error("\(file): skipped (its outputs exist)") }
                    continue
                }
                let chosen = try selection.separator(for: file)
                if destinations.isEmpty {
                    destinations = SeparationOutputPlan.outputs(
                        of: item, speakers: chosen.model.configuration.numSpks, outDir: outDir, format: format.rawValue)
                }
                for folder in Set(destinations.map { ($0 as NSString).deletingLastPathComponent }) where !folder.isEmpty {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                }
                let report = try separateFile(file, to: destinations, with: chosen.model, from: chosen.directory, opened: selection.takeOpened(file))
                try log?.append(SeparationLine.separated(file: file, outputs: destinations, report: report))
            } catch let error as AudioIOError {
                Console.error("error: \(error)")
                try log?.append(SeparationLine.failed(file: file, outputs: destinations, error: error))
                failed += 1
            }
        }
        if failed > 0 { throw CommandFailure.someInputsFailed(failed: failed, total: files.count) }
    }

    /// Separates one input into `destinations` (one per talker, from ``SeparationOutputPlan``) with a
    /// ``FileSeparator``, and prints its report.
    ///
    /// Raw PCM on stdin ends at end of input or, cleanly, on SIGINT/SIGTERM: what was separated so far is written.
    /// - Parameter opened: the input, already open (one that can be read only once), else nil.
    /// - Returns: the seconds of audio and the real-time factor.
    private func separateFile(
        _ file: String, to destinations: [String], with separator: MossFormer2Separator, from modelDirectory: String,
        opened: AudioFileReader? = nil
    ) throws -> FileSeparationReport {
        let modelRate = separator.configuration.sampleRate
        let files = FileSeparator(
            separator: separator, plan: try windows.plan(sampleRate: modelRate),
            scaling: normalize, format: format.audioFormat, shifts: averaging.shifts, bothPolarities: averaging.usesBothPolarities(separator))
        let report: FileSeparationReport
        if file == "-" {
            let pipe = try PCMStreamReader(
                descriptor: STDIN_FILENO, source: "stdin", format: pcmFormat, sampleRate: rate, channelCount: channels)
            let signal = StopSignal()
            pipe.shouldStop = { signal.isRequested }
            report = try files.separate(try MonoBlockSource(stdin: pipe, modelRate: modelRate), input: file, to: destinations,
                                        stop: signal, warn: Console.error)
        } else {
            report = try files.separate(file: file, to: destinations, opened: opened, warn: Console.error)
        }
        let (seconds, realTimeFactor) = (report.seconds, report.realTimeFactor)
        if json {
            try Console.line(try SeparationLine.summary(file: file, outputs: destinations, model: modelDirectory, report: report).json())
        } else {
            let levelText = report.levels.map { $0.map { String(format: "%.1f", $0) } ?? "silent" }.joined(separator: " / ")
            try Console.line("\(file): \(destinations.joined(separator: ", ")) (\(String(format: "%.2f", seconds)) s of audio, real-time factor \(String(format: "%.3f", realTimeFactor)); levels \(levelText) dBFS RMS)")
        }
        return report
    }
}
