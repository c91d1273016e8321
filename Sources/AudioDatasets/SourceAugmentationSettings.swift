import AudioIO
import Foundation

/// What ``SourceAugmenter`` does to the examples of separator training, against the fingerprints of the speech
/// synthesizers it is trained on. Each part has a probability (per source or per example); 0 switches it off.
///
/// In JSON (snake_case keys; a key left out takes its default, an unknown key is an error):
/// ```json
/// {"speed_probability": 0.8, "speed_min": 0.9, "speed_max": 1.1,
///  "formant_probability": 0.5, "formant_min": 0.85, "formant_max": 1.18,
///  "eq_probability": 0.8, "eq_bands": 3, "eq_gain_db": 6, "eq_q_min": 0.5, "eq_q_max": 2, "tilt_db": 6,
///  "reverb_probability": 0.3, "room_min_m": [3, 3, 2.4], "room_max_m": [10, 8, 4], "rt60_min": 0.1, "rt60_max": 0.9,
///  "reverb_target": "reverberant",
///  "band_limit_probability": 0.2, "band_limit_cutoffs_hz": [3400, 4000, 5500, 8000],
///  "noise_probability": 0, "noise_kinds": ["white", "pink", "brown", "hum"], "noise_snr_min_db": 5, "noise_snr_max_db": 30,
///  "gain_min_db": -6, "gain_max_db": 6, "clip_probability": 0.1, "clip_min": 0.5, "clip_max": 0.9, "mu_law_probability": 0.15,
///  "codec_probability": 0.15, "codecs": ["vorbis", "mp3"], "codec_compression_min": 0.3, "codec_compression_max": 1}
/// ```
public struct SourceAugmentationSettings: Sendable, Codable, Equatable {
    /// What a reverberant source's training target is.
    public enum ReverbTarget: String, Sendable, Codable, CaseIterable {
        /// The reverberant source itself, as it is in the mixture (the mixture stays the sum of the targets).
        case reverberant
        /// The source through the direct path and the first 50 ms of reflections only: the model also learns to
        /// remove the late reverberation.
        case early
    }

    /// Chance that a source is resampled to another speed, which moves its pitch and formants together.
    public var speedProbability: Double
    /// Speed factors, uniform, rounded to 0.01 (1.1: 10% faster and higher).
    public var speedMin: Double, speedMax: Double
    /// Chance that a source's formants are moved (``FormantShifter``) while its pitch stays: a vocal-tract length
    /// perturbation, drawn independently of the speed.
    public var formantProbability: Double
    /// Formant factors, log-uniform (1.1: formants 10% higher).
    public var formantMin: Double, formantMax: Double
    /// Chance that a source goes through a random equalizer: `equalizerBands` bells and a spectral tilt.
    public var equalizerProbability: Double
    /// Peaking sections per equalizer (centres log-uniform over 100 Hz to 0.45 x the sample rate).
    public var equalizerBands: Int
    /// Each section's gain is uniform in `±equalizerGainDB`.
    public var equalizerGainDB: Double
    /// Each section's Q, log-uniform.
    public var equalizerQMin: Double, equalizerQMax: Double
    /// The tilt (a first-order shelf centred log-uniformly at 250-2000 Hz) moves the top of the spectrum against
    /// its bottom by a gain uniform in `±tiltDB`.
    public var tiltDB: Double
    /// Chance that an example is heard in a random room (one room and microphone, each source at its own place).
    public var reverbProbability: Double
    /// The room's sides (length, width, height in m), each uniform between these.
    public var roomMin: [Double], roomMax: [Double]
    /// The room's reverberation time RT60 (s), uniform.
    public var reverberationTimeMin: Double, reverberationTimeMax: Double
    /// The training target of a reverberant source.
    public var reverbTarget: ReverbTarget
    /// Chance that an example (every source alike) is low-passed at one of `bandLimitCutoffs`.
    public var bandLimitProbability: Double
    /// Cutoffs (Hz) to choose from; those at or above the Nyquist frequency of the sample rate are left out.
    public var bandLimitCutoffs: [Double]
    /// Chance that noise is added to an example's mixture (the targets stay clean).
    public var noiseProbability: Double
    /// Noises to choose from (synthetic ones; babble needs speech).
    public var noiseKinds: [NoiseKind]
    /// The noise's SNR against the mixture (dB), uniform.
    public var noiseSNRMinDB: Double, noiseSNRMaxDB: Double
    /// Gain of the mixture (and, alike, of the targets) before the clipping and codec (dB), uniform.
    public var gainMinDB: Double, gainMaxDB: Double
    /// Chance that the mixture is hard-clipped.
    public var clipProbability: Double
    /// The clipping level as a fraction of the mixture's peak, uniform.
    public var clipMin: Double, clipMax: Double
    /// Chance that the mixture goes through an 8-bit mu-law codec.
    public var muLawProbability: Double
    /// Chance that the mixture goes through a lossy codec (encoded and decoded in memory by libsndfile).
    public var codecProbability: Double
    /// Codecs to choose from.
    public var codecs: [LossyCodec]
    /// libsndfile's compression level (0 best quality, 1 smallest stream), uniform.
    public var codecCompressionMin: Double, codecCompressionMax: Double

    enum CodingKeys: String, CodingKey, CaseIterable {
        case speedProbability = "speed_probability", speedMin = "speed_min", speedMax = "speed_max"
        case formantProbability = "formant_probability", formantMin = "formant_min", formantMax = "formant_max"
        case equalizerProbability = "eq_probability", equalizerBands = "eq_bands", equalizerGainDB = "eq_gain_db"
        case equalizerQMin = "eq_q_min", equalizerQMax = "eq_q_max", tiltDB = "tilt_db"
        case reverbProbability = "reverb_probability", roomMin = "room_min_m", roomMax = "room_max_m"
        case reverberationTimeMin = "rt60_min", reverberationTimeMax = "rt60_max", reverbTarget = "reverb_target"
        case bandLimitProbability = "band_limit_probability", bandLimitCutoffs = "band_limit_cutoffs_hz"
        case noiseProbability = "noise_probability", noiseKinds = "noise_kinds"
        case noiseSNRMinDB = "noise_snr_min_db", noiseSNRMaxDB = "noise_snr_max_db"
        case gainMinDB = "gain_min_db", gainMaxDB = "gain_max_db"
        case clipProbability = "clip_probability", clipMin = "clip_min", clipMax = "clip_max"
        case muLawProbability = "mu_law_probability"
        case codecProbability = "codec_probability", codecs = "codecs"
        case codecCompressionMin = "codec_compression_min", codecCompressionMax = "codec_compression_max"
    }

    /// The default augmentation of `sepkws train-sep --augment`: speed 0.9-1.1 on 80% of the sources, formants moved
    /// by 0.85-1.18 on 50%, a random
    /// equalizer (3 bells of ±6 dB, tilt ±6 dB) on 80%, a room (3-10 x 3-8 x 2.4-4 m, RT60 0.1-0.9 s) for 30% of
    /// the examples, a band limit (3.4, 4, 5.5 or 8 kHz) for 20%, no noise, mixture gain ±6 dB, clipping at
    /// 50-90% of the peak for 10%, mu-law for 15%, and Vorbis or MP3 at compression 0.3-1 for 15%.
    public init(
        speedProbability: Double = 0.8, speedMin: Double = 0.9, speedMax: Double = 1.1,
        formantProbability: Double = 0.5, formantMin: Double = 0.85, formantMax: Double = 1.18,
        equalizerProbability: Double = 0.8, equalizerBands: Int = 3, equalizerGainDB: Double = 6,
        equalizerQMin: Double = 0.5, equalizerQMax: Double = 2, tiltDB: Double = 6,
        reverbProbability: Double = 0.3, roomMin: [Double] = [3, 3, 2.4], roomMax: [Double] = [10, 8, 4],
        reverberationTimeMin: Double = 0.1, reverberationTimeMax: Double = 0.9, reverbTarget: ReverbTarget = .reverberant,
        bandLimitProbability: Double = 0.2, bandLimitCutoffs: [Double] = [3_400, 4_000, 5_500, 8_000],
        noiseProbability: Double = 0, noiseKinds: [NoiseKind] = NoiseKind.synthetic,
        noiseSNRMinDB: Double = 5, noiseSNRMaxDB: Double = 30,
        gainMinDB: Double = -6, gainMaxDB: Double = 6,
        clipProbability: Double = 0.1, clipMin: Double = 0.5, clipMax: Double = 0.9, muLawProbability: Double = 0.15,
        codecProbability: Double = 0.15, codecs: [LossyCodec] = LossyCodec.allCases,
        codecCompressionMin: Double = 0.3, codecCompressionMax: Double = 1
    ) {
        self.speedProbability = speedProbability; self.speedMin = speedMin; self.speedMax = speedMax
        self.formantProbability = formantProbability; self.formantMin = formantMin; self.formantMax = formantMax
        self.equalizerProbability = equalizerProbability; self.equalizerBands = equalizerBands
        self.equalizerGainDB = equalizerGainDB; self.equalizerQMin = equalizerQMin; self.equalizerQMax = equalizerQMax
        self.tiltDB = tiltDB
        self.reverbProbability = reverbProbability; self.roomMin = roomMin; self.roomMax = roomMax
        self.reverberationTimeMin = reverberationTimeMin; self.reverberationTimeMax = reverberationTimeMax
        self.reverbTarget = reverbTarget
        self.bandLimitProbability = bandLimitProbability; self.bandLimitCutoffs = bandLimitCutoffs
        self.noiseProbability = noiseProbability; self.noiseKinds = noiseKinds
        self.noiseSNRMinDB = noiseSNRMinDB; self.noiseSNRMaxDB = noiseSNRMaxDB
        self.gainMinDB = gainMinDB; self.gainMaxDB = gainMaxDB
        self.clipProbability = clipProbability; self.clipMin = clipMin; self.clipMax = clipMax
        self.muLawProbability = muLawProbability
        self.codecProbability = codecProbability; self.codecs = codecs
        self.codecCompressionMin = codecCompressionMin; self.codecCompressionMax = codecCompressionMax
    }

    /// Every part switched off (the augmenter then changes nothing but draws nothing either).
    public static let off = SourceAugmentationSettings(
        speedProbability: 0, formantProbability: 0, equalizerProbability: 0, reverbProbability: 0, bandLimitProbability: 0, noiseProbability: 0,
        gainMinDB: 0, gainMaxDB: 0, clipProbability: 0, muLawProbability: 0, codecProbability: 0)

    /// Decodes settings; a key left out takes its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        speedProbability = try value(.speedProbability, d.speedProbability)
        speedMin = try value(.speedMin, d.speedMin)
        speedMax = try value(.speedMax, d.speedMax)
        formantProbability = try value(.formantProbability, d.formantProbability)
        formantMin = try value(.formantMin, d.formantMin)
        formantMax = try value(.formantMax, d.formantMax)
        equalizerProbability = try value(.equalizerProbability, d.equalizerProbability)
        equalizerBands = try value(.equalizerBands, d.equalizerBands)
        equalizerGainDB = try value(.equalizerGainDB, d.equalizerGainDB)
        equalizerQMin = try value(.equalizerQMin, d.equalizerQMin)
        equalizerQMax = try value(.equalizerQMax, d.equalizerQMax)
        tiltDB = try value(.tiltDB, d.tiltDB)
        reverbProbability = try value(.reverbProbability, d.reverbProbability)
        roomMin = try value(.roomMin, d.roomMin)
        roomMax = try value(.roomMax, d.roomMax)
        reverberationTimeMin = try value(.reverberationTimeMin, d.reverberationTimeMin)
        reverberationTimeMax = try value(.reverberationTimeMax, d.reverberationTimeMax)
        reverbTarget = try value(.reverbTarget, d.reverbTarget)
        bandLimitProbability = try value(.bandLimitProbability, d.bandLimitProbability)
        bandLimitCutoffs = try value(.bandLimitCutoffs, d.bandLimitCutoffs)
        noiseProbability = try value(.noiseProbability, d.noiseProbability)
        noiseKinds = try value(.noiseKinds, d.noiseKinds)
        noiseSNRMinDB = try value(.noiseSNRMinDB, d.noiseSNRMinDB)
        noiseSNRMaxDB = try value(.noiseSNRMaxDB, d.noiseSNRMaxDB)
        gainMinDB = try value(.gainMinDB, d.gainMinDB)
        gainMaxDB = try value(.gainMaxDB, d.gainMaxDB)
        clipProbability = try value(.clipProbability, d.clipProbability)
        clipMin = try value(.clipMin, d.clipMin)
        clipMax = try value(.clipMax, d.clipMax)
        muLawProbability = try value(.muLawProbability, d.muLawProbability)
        codecProbability = try value(.codecProbability, d.codecProbability)
        codecs = try value(.codecs, d.codecs)
        codecCompressionMin = try value(.codecCompressionMin, d.codecCompressionMin)
        codecCompressionMax = try value(.codecCompressionMax, d.codecCompressionMax)
    }

    /// Reads settings from a JSON file, rejecting unknown keys and impossible values.
    /// - Throws: ``DatasetError/malformedManifest(path:line:reason:)`` for an unreadable file, an unknown key or a
    ///   value of the wrong type; ``DatasetError/invalidOption(name:value:reason:)`` from ``validate()``.
    public init(contentsOf path: String) throws(DatasetError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .malformedManifest(path: path, line: 1, reason: "cannot read the file")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let dictionary = object as? [String: Any] else {
            throw .malformedManifest(path: path, line: 1, reason: "not a JSON object")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        let unknown = dictionary.keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw .malformedManifest(path: path, line: 1, reason: "unknown keys \(unknown.joined(separator: ", ")); known: \(known.sorted().joined(separator: ", "))")
        }
        do { self = try JSONDecoder().decode(Self.self, from: data) } catch {
            throw .malformedManifest(path: path, line: 1, reason: "a value has the wrong type (\(error))")
        }
        try validate()
    }

    /// Throws unless every range is ordered and possible.
    /// - Throws: ``DatasetError/invalidOption(name:value:reason:)`` naming the key(s) and the allowed range.
    public func validate() throws(DatasetError) {
        let probabilities: [(String, Double)] = [
            ("speed_probability", speedProbability), ("formant_probability", formantProbability), ("eq_probability", equalizerProbability),
            ("reverb_probability", reverbProbability), ("band_limit_probability", bandLimitProbability),
            ("noise_probability", noiseProbability), ("clip_probability", clipProbability), ("mu_law_probability", muLawProbability),
            ("codec_probability", codecProbability),
        ]
        for (name, p) in probabilities where !(0...1).contains(p) {
            throw .invalidOption(name: name, value: "\(p)", reason: "must be 0-1")
        }
        try Self.range("speed_min/speed_max", speedMin, speedMax, within: 0.5...2)
        try Self.range("formant_min/formant_max", formantMin, formantMax, within: 0.5...2)
        guard (0...8).contains(equalizerBands) else {
            throw .invalidOption(name: "eq_bands", value: "\(equalizerBands)", reason: "must be 0-8")
        }
        for (name, value) in [("eq_gain_db", equalizerGainDB), ("tilt_db", tiltDB)] where !(0...24).contains(value) {
            throw .invalidOption(name: name, value: "\(value)", reason: "must be 0-24 dB")
        }
        try Self.range("eq_q_min/eq_q_max", equalizerQMin, equalizerQMax, within: 0.1...10)
        guard roomMin.count == 3, roomMax.count == 3 else {
            throw .invalidOption(name: "room_min_m/room_max_m", value: "\(roomMin) / \(roomMax)", reason: "must each hold 3 sides (length, width, height)")
        }
        for axis in 0..<3 { try Self.range("room_min_m/room_max_m", roomMin[axis], roomMax[axis], within: 2...50) }
        try Self.range("rt60_min/rt60_max", reverberationTimeMin, reverberationTimeMax, within: 0.05...2)
        if bandLimitProbability > 0 {
            guard !bandLimitCutoffs.isEmpty, bandLimitCutoffs.allSatisfy({ (500...24_000).contains($0) }) else {
                throw .invalidOption(name: "band_limit_cutoffs_hz", value: "\(bandLimitCutoffs)", reason: "must be one or more cutoffs of 500-24000 Hz")
            }
        }
        if noiseProbability > 0 {
            guard !noiseKinds.isEmpty, !noiseKinds.contains(.babble) else {
                throw .invalidOption(name: "noise_kinds", value: "\(noiseKinds.map(\.rawValue))",
                                     reason: "must be one or more of \(NoiseKind.synthetic.map(\.rawValue).joined(separator: ", "))")
            }
        }
        try Self.range("noise_snr_min_db/noise_snr_max_db", noiseSNRMinDB, noiseSNRMaxDB, within: -10...60)
        try Self.range("gain_min_db/gain_max_db", gainMinDB, gainMaxDB, within: -40...40)
        try Self.range("clip_min/clip_max", clipMin, clipMax, within: 0.05...1)
        try Self.range("codec_compression_min/codec_compression_max", codecCompressionMin, codecCompressionMax, within: 0...1)
        if codecProbability > 0, codecs.isEmpty {
            throw .invalidOption(name: "codecs", value: "[]", reason: "must name one or more of \(LossyCodec.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Throws unless `low <= high`, both within `limits`.
    private static func range(_ name: String, _ low: Double, _ high: Double, within limits: ClosedRange<Double>) throws(DatasetError) {
        guard low <= high, limits.contains(low), limits.contains(high) else {
            throw .invalidOption(name: name, value: "\(low)-\(high)", reason: "must be ordered and within \(limits.lowerBound)-\(limits.upperBound)")
        }
    }
}
