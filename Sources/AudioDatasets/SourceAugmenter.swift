import AudioIO
import Foundation

/// Augments separator training examples (dynamic mixing) against the fingerprints of the synthesizers that spoke
/// them, as ``SourceAugmentationSettings`` says; every random choice comes from the generator given, so an
/// example follows from its step's seed.
///
/// Two stages, because the mixture is formed in between (``SeparationBatchSource`` flips polarities there):
/// 1. ``augmentSources(_:length:using:)``, linear, on each source: speed (resampling with libsoxr, which moves
///    pitch and formants together), a formant shift (``FormantShifter``, which keeps the pitch), a random equalizer and tilt, the source's own place in the example's room
///    (image-source impulse response, FFT convolution), the source brought back to the level it was given; then
///    one band limit for the whole example. The mixture is the sum of these sources.
/// 2. ``degradeMixture(_:bandLimit:using:)``, on the mixture only: noise at an SNR, a gain (which the targets
///    share), clipping, an 8-bit mu-law codec and a lossy codec (Vorbis or MP3 through libsndfile). The targets stay as they were, up to the gain.
///
/// The training target of a reverberant source is the reverberant source itself by default, so the mixture stays
/// the sum of the targets and the model is not asked to dereverberate; ``SourceAugmentationSettings/ReverbTarget/early``
/// makes it the direct path and first 50 ms of reflections instead.
///
/// ```swift
/// let augmenter = try SourceAugmenter(settings: SourceAugmentationSettings(), sampleRate: 8_000)
/// let crops = ...                                        // [C][augmenter.inputLength(for: 16_000)], levels set
/// let example = try augmenter.augmentSources(crops, length: 16_000, using: &rng)   // [C][16000] each
/// var mixture = SignalLevel.sum(example.mixed)                                      // [16000]
/// let gain = augmenter.degradeMixture(&mixture, bandLimit: example.bandLimit, using: &rng)
/// let targets = example.targets.map { $0.map { $0 * gain } }                       // [C][16000]
/// ```
public struct SourceAugmenter: Sendable {
    /// One example after the source stage.
    public struct AugmentedExample: Sendable {
        /// The sources as the mixture sums them, `[C][length]`.
        public var mixed: [[Float]]
        /// The training targets, `[C][length]`: `mixed` itself, or with early-reflection targets the sources
        /// through the first 50 ms of their rooms' responses (at the same gain).
        public var targets: [[Float]]
        /// The low-pass cutoff (Hz) applied to every source, nil for none; noise added to the mixture later is
        /// low-passed alike.
        public var bandLimit: Double?
    }

    /// What to do.
    public let settings: SourceAugmentationSettings
    /// The rate of the examples (Hz).
    public let sampleRate: Int
    /// Moves formants when ``SourceAugmentationSettings/formantProbability`` says so.
    let formantShifter: FormantShifter

    /// Order of the Butterworth band limit (72 dB per octave).
    public static let bandLimitOrder = 12
    /// How much of a room's response counts as early (s after the direct sound).
    public static let earlySeconds = 0.05
    /// Talkers and the microphone keep this far from the walls (m), and talkers this far from the microphone.
    static let clearance = 0.5

    /// - Throws: ``DatasetError/invalidOption(name:value:reason:)`` for impossible settings, a rate outside
    ///   4-96 kHz, or a codec that cannot encode at this rate.
    public init(settings: SourceAugmentationSettings, sampleRate: Int) throws(DatasetError) {
        try settings.validate()
        guard (4_000...96_000).contains(sampleRate) else {
            throw .invalidOption(name: "sample rate", value: "\(sampleRate) Hz", reason: "must be 4000-96000 Hz")
        }
        if settings.codecProbability > 0 {
            for codec in settings.codecs {
                do { _ = try codec.roundTrip([0, 0], sampleRate: sampleRate, compression: 0.5) } catch {
                    throw .invalidOption(name: "codecs", value: codec.rawValue, reason: "cannot encode at \(sampleRate) Hz (\(error))")
                }
            }
        }
        self.settings = settings
        self.sampleRate = sampleRate
        formantShifter = FormantShifter(sampleRate: sampleRate)
    }

    /// The band-limit cutoffs usable at this rate: those below the Nyquist frequency.
    public var bandLimitCutoffs: [Double] { settings.bandLimitCutoffs.filter { $0 < Double(sampleRate) / 2 } }

    /// How many samples of each source ``augmentSources(_:length:using:)`` reads for `length` samples out: more
    /// than `length` when a speed-up may consume them, else `length`.
    public func inputLength(for length: Int) -> Int {
        guard settings.speedProbability > 0, settings.speedMax > 1 else { return length }
        // The speed is rounded to 0.01, then the input rate to 1 Hz.
        return Int((Double(length) * (settings.speedMax + 0.005 + 1 / Double(sampleRate))).rounded(.up)) + 2
    }

    /// The linear stage: each source changed and brought back to its level, then the example band-limited.
    /// - Parameters:
    ///   - sources: `[C][n]`, `n >= length` (``inputLength(for:)``), levels already set.
    ///   - length: samples per source out.
    ///   - rng: every random choice is drawn from it.
    /// - Returns: the sources, `[C][length]`, and their targets.
    /// - Throws: `AudioIOError` if resampling fails.
    public func augmentSources(_ sources: [[Float]], length: Int, using rng: inout some RandomNumberGenerator) throws -> AugmentedExample {
        let s = settings
        // One room and one microphone for the example.
        var place: (room: ShoeboxRoom, microphone: SIMD3<Double>)?
        if Self.chance(s.reverbProbability, &rng) {
            var size = SIMD3<Double>()
            for axis in 0..<3 { size[axis] = Double.random(in: s.roomMin[axis]...s.roomMax[axis], using: &rng) }
            let time = Double.random(in: s.reverberationTimeMin...s.reverberationTimeMax, using: &rng)
            let room = try ShoeboxRoom(size: size, reverberationTime: time)
            place = (room, room.randomPoint(margin: Self.clearance, using: &rng))
        }
        var mixed: [[Float]] = [], targets: [[Float]] = []
        for source in sources {
            let level = SignalLevel.rms(source)
            var x = try changedSpeed(source, length: length, using: &rng)
            if Self.chance(s.formantProbability, &rng) {
                x = formantShifter.shift(x, by: Self.logUniform(s.formantMin, s.formantMax, &rng))
            }
            if Self.chance(s.equalizerProbability, &rng) { equalizer(using: &rng).apply(to: &x) }
            var target: [Float]?
            if let (room, microphone) = place {
                var position = room.randomPoint(margin: Self.clearance, using: &rng)
                for _ in 0..<20 where distance(position, microphone) < Self.clearance {
                    position = room.randomPoint(margin: Self.clearance, using: &rng)
                }
                let response = room.impulseResponse(source: position, microphone: microphone, sampleRate: sampleRate, using: &rng)
                let kernels = s.reverbTarget == .early ? [response.taps, response.early(seconds: Self.earlySeconds)] : [response.taps]
                let wet = FFTConvolution.convolve(x, with: kernels, length: length)
                x = wet[0]
                if wet.count > 1 { target = wet[1] }
            }
            // Back to the level drawn for the source (the relative levels of the mixture are kept).
            let now = SignalLevel.rms(x)
            if level > 0, now > 0 {
                let gain = Float(level / now)
                x = x.map { $0 * gain }
                target = target?.map { $0 * gain }
            }
            mixed.append(x)
            targets.append(target ?? x)
        }
        var cutoff: Double?
        let cutoffs = bandLimitCutoffs
        if !cutoffs.isEmpty, Self.chance(s.bandLimitProbability, &rng) {
            let chosen = cutoffs[Int.random(in: 0..<cutoffs.count, using: &rng)]
            let filter = FilterCascade.butterworthLowPass(cutoff: chosen, order: Self.bandLimitOrder, sampleRate: sampleRate)
            let separateTargets = s.reverbTarget == .early && place != nil
            for c in mixed.indices {
                filter.apply(to: &mixed[c])
                if separateTargets { filter.apply(to: &targets[c]) } else { targets[c] = mixed[c] }
            }
            cutoff = chosen
        }
        return AugmentedExample(mixed: mixed, targets: targets, bandLimit: cutoff)
    }

    /// The mixture-only stage, in place: noise at an SNR (low-passed at `bandLimit` like the sources), a gain,
    /// clipping, mu-law, a lossy codec.
    /// - Parameters:
    ///   - mixture: `[n]`, the sum of the example's sources.
    ///   - bandLimit: the example's cutoff (``AugmentedExample/bandLimit``).
    ///   - rng: every random choice is drawn from it.
    /// - Returns: the gain applied, by which the targets must be scaled too.
    /// - Throws: `AudioIOError` if the lossy codec fails.
    public func degradeMixture(_ mixture: inout [Float], bandLimit: Double?, using rng: inout some RandomNumberGenerator) throws -> Float {
        let s = settings
        if Self.chance(s.noiseProbability, &rng) {
            let kind = s.noiseKinds[Int.random(in: 0..<s.noiseKinds.count, using: &rng)]
            var noise = NoiseGenerator.make(kind, count: mixture.count, sampleRate: sampleRate, using: &rng)
            if let bandLimit {
                FilterCascade.butterworthLowPass(cutoff: bandLimit, order: Self.bandLimitOrder, sampleRate: sampleRate).apply(to: &noise)
            }
            let snr = Double.random(in: s.noiseSNRMinDB...s.noiseSNRMaxDB, using: &rng)
            noise = SignalLevel.noise(noise, forSNR: snr, against: mixture)
            for i in mixture.indices { mixture[i] += noise[i] }
        }
        var gain: Float = 1
        if s.gainMinDB != 0 || s.gainMaxDB != 0 {
            gain = Float(pow(10, Double.random(in: s.gainMinDB...s.gainMaxDB, using: &rng) / 20))
            for i in mixture.indices { mixture[i] *= gain }
        }
        if Self.chance(s.clipProbability, &rng) {
            let limit = SignalLevel.peak(mixture) * Float(Double.random(in: s.clipMin...s.clipMax, using: &rng))
            for i in mixture.indices { mixture[i] = min(max(mixture[i], -limit), limit) }
        }
        if Self.chance(s.muLawProbability, &rng) { MuLaw.roundTrip(&mixture) }
        if Self.chance(s.codecProbability, &rng) {
            let codec = s.codecs[Int.random(in: 0..<s.codecs.count, using: &rng)]
            let compression = Double.random(in: s.codecCompressionMin...s.codecCompressionMax, using: &rng)
            mixture = try codec.roundTrip(mixture, sampleRate: sampleRate, compression: compression)
        }
        return gain
    }

    /// The first `length` samples of `source` played at a random speed (or as it is).
    private func changedSpeed(_ source: [Float], length: Int, using rng: inout some RandomNumberGenerator) throws -> [Float] {
        if Self.chance(settings.speedProbability, &rng) {
            // In steps of 0.01: libsoxr converts such ratios at about half the cost of arbitrary ones.
            let speed = (Double.random(in: settings.speedMin...settings.speedMax, using: &rng) * 100).rounded() / 100
            // Read at rate fs * speed and converted to fs: `speed` times as fast.
            let inputRate = Int((Double(sampleRate) * speed).rounded())
            if inputRate != sampleRate {
                return try Resampler.resample(AudioBuffer(sampleRate: inputRate, mono: source), to: sampleRate, frames: length).channels[0]
            }
        }
        var out = Array(source.prefix(length))
        if out.count < length { out += [Float](repeating: 0, count: length - out.count) }
        return out
    }

    /// A random equalizer: `equalizerBands` bells and a tilt.
    private func equalizer(using rng: inout some RandomNumberGenerator) -> FilterCascade {
        let s = settings
        var sections: [Biquad] = []
        for _ in 0..<s.equalizerBands {
            let frequency = Self.logUniform(100, 0.45 * Double(sampleRate), &rng)
            let gain = Double.random(in: -s.equalizerGainDB...s.equalizerGainDB, using: &rng)
            let q = Self.logUniform(s.equalizerQMin, s.equalizerQMax, &rng)
            sections.append(.peaking(frequency: frequency, gainDB: gain, q: q, sampleRate: sampleRate))
        }
        let tilt = Double.random(in: -s.tiltDB...s.tiltDB, using: &rng)
        sections.append(.shelf(gainDB: tilt, frequency: Self.logUniform(250, min(2_000, 0.4 * Double(sampleRate)), &rng), sampleRate: sampleRate))
        return FilterCascade(sections)
    }

    /// True with probability `p`; draws only when `0 < p < 1`.
    private static func chance(_ p: Double, _ rng: inout some RandomNumberGenerator) -> Bool {
        if p <= 0 { return false }
        if p >= 1 { return true }
        return Double.random(in: 0..<1, using: &rng) < p
    }

    private static func logUniform(_ low: Double, _ high: Double, _ rng: inout some RandomNumberGenerator) -> Double {
        exp(Double.random(in: log(low)...log(high), using: &rng))
    }

    private func distance(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { ((a - b) * (a - b)).sum().squareRoot() }
}
