import ArgumentParser
import AudioDatasets
import AudioIO
import Foundation
import Separation
import Streaming
import TensorCore
import Training

/// How separated outputs are scaled.
enum OutputNormalization: String, ExpressibleByArgument, CaseIterable {
    /// Each output scaled to the mixture's RMS (as ClearerVoice does).
    case rms
    /// Each output scaled to the mixture's peak.
    case peak
    /// The network's output as is.
    case none
}

/// `sepkws separate MIX...`: one file per talker for each mixture.
struct Separate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Separate overlapped talkers: writes STEM_s1.wav, STEM_s2.wav, ... for each mixture.",
        discussion: """
            Inputs may be any format, rate and channel count libsndfile reads (mixed down, resampled to the model's rate \
            and back), or folders of such files. The model is loaded once for all inputs.
            """)

    @Argument(help: "Mixture files or folders.")
    var inputs: [String]

    @Option(help: "Model directory (config.json + model.safetensors). Default: the shipped model for the input's rate (16 kHz and up: mossformer2-16k if shipped; else mossformer2-8k).")
    var model: String?

    @Option(help: "Output folder (default: next to each input).")
    var outDir: String?

    @Option(help: "Output format: wav or flac.")
    var format: SeparatedFormat = .wav

    @Option(help: "Output scaling: rms (each output at the mixture's RMS), peak, or none.")
    var normalize: OutputNormalization = .rms

    @Flag(help: "Print a JSON summary (one object per input, one per line) instead of text.")
    var json = false

    @Option(help: "Window the model sees at once (seconds); longer inputs are cut into overlapping windows.")
    var windowSeconds = 4.0

    @Option(help: "Overlap of consecutive windows (seconds), where speakers are aligned and cross-faded.")
    var overlapSeconds = 1.0

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
        if inputs.isEmpty { throw ValidationError("give at least one mixture file or folder (or - for stdin)") }
        try SeparationWindowBounds.check(windowSeconds: windowSeconds, overlapSeconds: overlapSeconds)
        try StdinPCMBounds.check(rate: rate, channels: channels)
    }

    func run() throws {
        Threading.setBLASThreads(threading.threads)
        /// Inputs that can be read only once (a FIFO, `<(...)`, `/dev/stdin`), opened to learn their rate and kept
        /// open for their separation.
        var opened: [String: AudioFileReader] = [:]
        func inputRate(of file: String) throws -> Int {
            if let reader = opened[file] { return reader.info.sampleRate }
            let reader = try AudioFileReader(path: file)
            if OutputPath.kind(of: file) != .file { opened[file] = reader }
            return reader.info.sampleRate
        }
        var loaded: [String: MossFormer2Separator] = [:]
        /// `--model`, else the shipped model for the input's rate; each loaded once.
        func separator(for file: String) throws -> (directory: String, model: MossFormer2Separator) {
            let directory = try model ?? ModelLocator.separator(forInputRate: file == "-" ? rate : try inputRate(of: file)) ?? {
                    throw SeparationError.noModel(hint: "none is shipped in Models/ (searched \(ModelLocator.searchPath.joined(separator: ", "))); pass --model DIR")
                }()
            if let separator = loaded[directory] { return (directory, separator) }
            let separator = try MossFormer2Separator(directory: directory)
            try averaging.check(separator, model: directory)
            loaded[directory] = separator
            return (directory, separator)
        }
        if let model {
            let separator = try MossFormer2Separator(directory: model)
            try averaging.check(separator, model: model)
            loaded[model] = separator
        }   // a bad --model fails before any input is read
        if let outDir {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: outDir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw AudioIOError.outputDirectoryMissing(path: outDir)
            }
        }
        var files: [String] = []
        for input in inputs {
            var isDirectory: ObjCBool = false
            if input != "-", FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), isDirectory.boolValue {
                files += try AudioFolder.files(in: input).filter { !Self.isOutput($0) }
            } else {
                files.append(input)
            }
        }
        // Every output is decided and checked before any input is separated.
        let plan = try SeparationOutputPlan(inputs: files, outDir: outDir, format: format.rawValue) { file in
            do { return try separator(for: file).model.configuration.numSpks } catch is AudioIOError { return nil }
        }
        let planned = Dictionary(plan.entries.map { ($0.input, $0.outputs) }) { first, _ in first }
        var failed = 0
        for file in files {
            do {
                let chosen = try separator(for: file)
                let destinations = planned[file] ?? SeparationOutputPlan.outputs(
                    of: file, speakers: chosen.model.configuration.numSpks, outDir: outDir, format: format.rawValue)
                try separateFile(file, to: destinations, with: chosen.model, from: chosen.directory, opened: opened.removeValue(forKey: file))
            } catch let error as AudioIOError {
                Console.error("error: \(error)")
                failed += 1
            }
        }
        if failed > 0 { throw CommandFailure.someInputsFailed(failed: failed, total: files.count) }
    }

    /// Whether `path` looks like one of our own outputs (`STEM_s1.wav`), so re-running on a folder skips them.
    static func isOutput(_ path: String) -> Bool {
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        guard let range = stem.range(of: "_s", options: .backwards) else { return false }
        return Int(stem[range.upperBound...]) != nil
    }

    /// Separates one input into `destinations` (one per talker, from ``SeparationOutputPlan``).
    ///
    /// Raw PCM on stdin ends at end of input or, cleanly, on SIGINT/SIGTERM: what was separated so far is written.
    /// Every output has exactly as many frames as the input.
    /// - Parameter opened: the input, already open (one that can be read only once), else nil.
    private func separateFile(
        _ file: String, to destinations: [String], with separator: MossFormer2Separator, from modelDirectory: String,
        opened: AudioFileReader? = nil
    ) throws {
        let start = Date()
        let modelRate = separator.configuration.sampleRate
        let source: MonoBlockSource
        var stop: StopSignal?
        if file == "-" {
            let pipe = try PCMStreamReader(
                descriptor: STDIN_FILENO, source: "stdin", format: pcmFormat, sampleRate: rate, channelCount: channels)
            let signal = StopSignal()
            pipe.shouldStop = { signal.isRequested }
            stop = signal
            source = try MonoBlockSource(stdin: pipe, modelRate: modelRate)
        } else {
            source = try MonoBlockSource(file: opened.map { try MonoReader(reader: $0, sampleRate: modelRate) }
                ?? MonoReader(path: file, sampleRate: modelRate))
        }
        let plan = try ChunkPlan(windowSeconds: windowSeconds, overlapSeconds: overlapSeconds, sampleRate: modelRate)
        let chunked = ChunkedSeparator(plan: plan, speakers: destinations.count) { [averaging] in averaging.separate($0, with: separator) }
        // Pass 1: separate block by block into float files at the model rate, measuring levels on the way.
        for path in destinations { PartialFiles.register(path + ".stage.wav") }
        defer {
            for path in destinations {
                try? FileManager.default.removeItem(atPath: path + ".stage.wav")
                PartialFiles.unregister(path + ".stage.wav")
            }
        }
        let stage = try destinations.map {
            try AudioFileWriter(path: $0 + ".stage.wav", format: .wavFloat, sampleRate: modelRate, channelCount: 1, inputs: [file])
        }
        var mixtureLevel = LevelMeter(), outputLevels = [LevelMeter](repeating: LevelMeter(), count: destinations.count)
        func write(_ parts: [[Float]]) throws {
            for (i, part) in parts.enumerated() where !part.isEmpty {
                outputLevels[i].add(part)
                try stage[i].write(AudioBuffer(sampleRate: modelRate, mono: part))
            }
        }
        do {
            while let block = try source.next() {
                mixtureLevel.add(block)
                try write(chunked.push(block))
                if stop?.isRequested == true { break }
            }
            if let signal = stop?.signalNumber {
                let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
                Console.error(String(format: "separate: stdin: ended by %@ after %.2f s of audio; writing what was separated so far",
                                     name, Double(mixtureLevel.count) / Double(modelRate)))
            }
            stop?.cancel()   // from here on a signal removes the unfinished outputs and exits
            if mixtureLevel.count == 0 { throw AudioIOError.noAudio(path: file == "-" ? "stdin" : file) }
            try write(chunked.finish())
            for writer in stage { try writer.finish() }
        } catch {
            for writer in stage { writer.cancel() }
            throw error
        }
        // Pass 2: scale, convert back to the input's rate, and write the outputs (each renamed into place when whole).
        for (i, destination) in destinations.enumerated() {
            let gain: Float = switch normalize {
            case .rms: outputLevels[i].rms > 0 ? Float(mixtureLevel.rms / outputLevels[i].rms) : 1
            case .peak: outputLevels[i].peak > 0 ? mixtureLevel.peak / outputLevels[i].peak : 1
            case .none: 1
            }
            let reader = try AudioFileReader(path: destination + ".stage.wav")
            let resampler = try Resampler(inputRate: modelRate, outputRate: source.inputRate)
            let writer = try AudioFileWriter(path: destination, format: format.audioFormat, sampleRate: source.inputRate, channelCount: 1, inputs: [file])
            // The round trip through the model's rate may end a sample short or long: cut or pad to the input's length.
            var remaining = source.inputFrames
            func emit(_ samples: [Float]) throws {
                let kept = samples.prefix(remaining)
                remaining -= kept.count
                if !kept.isEmpty { try writer.write(AudioBuffer(sampleRate: source.inputRate, mono: Array(kept))) }
            }
            do {
                while let block = try reader.read() {
                    try emit(try resampler.process([block.channels[0].map { $0 * gain }])[0])
                }
                try emit(try resampler.flush()[0])
                if remaining > 0 { try emit([Float](repeating: 0, count: remaining)) }
                try writer.finish()
            } catch {
                writer.cancel()
                throw error
            }
        }
        let seconds = Double(mixtureLevel.count) / Double(modelRate)
        let elapsed = Date().timeIntervalSince(start)
        if json {
            let object: [String: Any] = ["input": file, "outputs": destinations, "model": modelDirectory, "seconds": seconds, "real_time_factor": elapsed / max(seconds, 1e-9)]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            try Console.line(String(decoding: data, as: UTF8.self))
        } else {
            try Console.line("\(file): \(destinations.joined(separator: ", ")) (\(String(format: "%.2f", seconds)) s of audio, real-time factor \(String(format: "%.3f", elapsed / max(seconds, 1e-9))))")
        }
    }
}

/// Running RMS and peak of a signal seen in blocks.
struct LevelMeter {
    private(set) var count = 0
    private var sumOfSquares = 0.0
    private(set) var peak: Float = 0

    mutating func add(_ block: [Float]) {
        for x in block {
            sumOfSquares += Double(x) * Double(x)
            peak = max(peak, abs(x))
        }
        count += block.count
    }

    var rms: Double { count > 0 ? (sumOfSquares / Double(count)).squareRoot() : 0 }
}
