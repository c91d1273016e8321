import ArgumentParser
import AudioIO
import DSP

/// `sepkws features FILE --kind stft|logmel|mfcc --out X.npy`: spectral features as a NumPy array `[frames, bins]`.
struct Features: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute STFT magnitude, log-mel or MFCC features and write them as a float32 .npy [frames, bins].",
        discussion: """
            The file is decoded, mixed down to mono and resampled to --rate, then framed (centered, zero-padded, \
            Hann window). log-mel is log(mel power + 1e-6) with Slaney mels from 0 Hz to rate/2; MFCC is the \
            orthonormal DCT-II of the log-mel. Memory does not grow with the file's length.
            """)

    @Argument(help: "Audio file (any format libsndfile reads).")
    var file: String

    @Option(help: "stft (magnitude), logmel or mfcc.")
    var kind: FeatureKind = .logmel

    @Option(name: .customLong("n-mels"), help: "Mel bands.")
    var melCount = 40

    @Option(name: .customLong("n-mfcc"), help: "MFCCs kept (at most --n-mels; default 40, or --n-mels if fewer).")
    var mfccCount: Int?

    @Option(name: .customLong("n-fft"), help: "FFT length (samples).")
    var nFFT = 512

    @Option(name: .customLong("win-ms"), help: "Window length (ms); at most n-fft samples.")
    var windowMilliseconds = 30.0

    @Option(name: .customLong("hop-ms"), help: "Hop between frames (ms).")
    var hopMilliseconds = 10.0

    @Option(help: "Sample rate the features are computed at (Hz); the input is resampled to it.")
    var rate = 16_000

    @OptionGroup var threading: ThreadOptions

    @Option(help: "Output .npy path.")
    var out: String

    mutating func validate() throws {
        _ = try configuration()
    }

    /// The front-end settings these options give.
    /// - Throws: `ValidationError` naming the impossible option.
    func configuration() throws -> FeatureConfiguration {
        guard (1_000...384_000).contains(rate) else { throw ValidationError("--rate \(rate): must be between 1000 and 384000 Hz") }
        try OptionBounds.check("--win-ms", windowMilliseconds, 0...1_000, unit: "ms", exclusiveLower: true)
        try OptionBounds.check("--hop-ms", hopMilliseconds, 0...1_000, unit: "ms", exclusiveLower: true)
        try OptionBounds.check("--n-mels", melCount, 1...1_024)
        let mfccCount = mfccCount ?? min(40, melCount)
        if kind == .mfcc || self.mfccCount != nil {
            guard (1...melCount).contains(mfccCount) else {
                throw ValidationError("--n-mfcc \(mfccCount): must be 1 to --n-mels (\(melCount))")
            }
        }
        let window = Int((windowMilliseconds * Double(rate) / 1000).rounded())
        let hop = Int((hopMilliseconds * Double(rate) / 1000).rounded())
        guard window <= nFFT || !(2...65_536).contains(nFFT) else {
            throw ValidationError("--win-ms \(windowMilliseconds) is \(window) samples at \(rate) Hz, longer than --n-fft \(nFFT)")
        }
        let features = FeatureConfiguration(
            sampleRate: rate, stft: STFTConfiguration(nFFT: nFFT, windowLength: window, hopLength: hop),
            melCount: melCount, mfccCount: mfccCount)
        do {
            try features.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        return features
    }

    func run() throws {
        let extractor = try FeatureExtractor(kind: kind, configuration: configuration(), threads: threading.threads)
        let reader = try MonoReader(path: file, sampleRate: rate)
        let writer = try NumpyWriter(path: out, columns: extractor.width, inputs: [file])
        var failure: Error?
        let append: (UnsafeBufferPointer<Float>) -> Void = { row in
            if failure == nil {
                do { try writer.append(row) } catch { failure = error }
            }
        }
        var samples = 0
        while let block = try reader.read() {
            samples += block.count
            extractor.push(block, append)
            if let failure { throw failure }
        }
        if samples == 0 { throw AudioIOError.noAudio(path: file) }
        extractor.finish(append)
        if let failure { throw failure }
        try writer.finish()
        try Console.line("\(out): \(kind.rawValue) [\(writer.rows), \(extractor.width)] float32")
    }
}

extension FeatureKind: ExpressibleByArgument {}
