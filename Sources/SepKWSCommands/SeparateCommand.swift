import ArgumentParser
import AudioDatasets
import AudioIO
import Foundation
import Separation
import TensorCore

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

    @Option(help: "Model directory (config.json + model.safetensors). Default: the shipped model.")
    var model: String?

    @Option(help: "Output folder (default: next to each input).")
    var outDir: String?

    @Option(help: "Output format: wav or flac.")
    var format: SeparatedFormat = .wav

    @Option(help: "Output scaling: rms (each output at the mixture's RMS), peak, or none.")
    var normalize: OutputNormalization = .rms

    @Flag(help: "Print a JSON summary (one object per input, one per line) instead of text.")
    var json = false

    @OptionGroup var threading: ThreadOptions

    enum SeparatedFormat: String, ExpressibleByArgument, CaseIterable {
        case wav, flac
        var audioFormat: AudioFileFormat { self == .wav ? .wav16 : .flac }
    }

    mutating func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one mixture file or folder") }
    }

    func run() throws {
        let directory = try model ?? ModelLocator.shipped(ModelLocator.defaultSeparator) ?? {
            throw SeparationError.noModel(hint: "none is shipped in Models/ yet; pass --model DIR")
        }()
        Threading.setBLASThreads(threading.threads)
        let separator = try MossFormer2Separator(directory: directory)
        if let outDir {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: outDir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw AudioIOError.outputDirectoryMissing(path: outDir)
            }
        }
        var files: [String] = []
        for input in inputs {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), isDirectory.boolValue {
                files += try AudioFolder.files(in: input).filter { !Self.isOutput($0) }
            } else {
                files.append(input)
            }
        }
        var failed = 0
        for file in files {
            do {
                try separateFile(file, with: separator)
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

    private func separateFile(_ file: String, with separator: MossFormer2Separator) throws {
        let start = Date()
        let reader = try MonoReader(path: file, sampleRate: separator.configuration.sampleRate)
        let originalRate = reader.info.sampleRate
        let mixture = try reader.readAll()
        var sources = separator.separate(mixture)
        let reference = normalize == .rms ? SignalLevel.rms(mixture) : Double(SignalLevel.peak(mixture))
        for i in sources.indices where normalize != .none {
            let level = normalize == .rms ? SignalLevel.rms(sources[i]) : Double(SignalLevel.peak(sources[i]))
            if level > 0 { let g = Float(reference / level); sources[i] = sources[i].map { $0 * g } }
        }
        let folder = outDir ?? (file as NSString).deletingLastPathComponent
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        var written: [String] = []
        for (i, source) in sources.enumerated() {
            let path = ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent("\(stem)_s\(i + 1).\(format.rawValue)")
            let output = try Resampler.resample(AudioBuffer(sampleRate: separator.configuration.sampleRate, mono: source), to: originalRate)
            try AudioFileWriter.write(output, to: path, format: format.audioFormat, inputs: [file])
            written.append(path)
        }
        let seconds = Double(mixture.count) / Double(separator.configuration.sampleRate)
        let elapsed = Date().timeIntervalSince(start)
        if json {
            let object: [String: Any] = ["input": file, "outputs": written, "seconds": seconds, "real_time_factor": elapsed / max(seconds, 1e-9)]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            try Console.line(String(decoding: data, as: UTF8.self))
        } else {
            try Console.line("\(file): \(written.joined(separator: ", ")) (\(String(format: "%.2f", seconds)) s of audio, real-time factor \(String(format: "%.3f", elapsed / max(seconds, 1e-9))))")
        }
    }
}
