import AudioDatasets

/// The waveform augmentations of a training example (all ranges uniform; a range of one value turns it off).
public struct AugmentationSettings: Sendable, Codable, Equatable {
    /// Speed perturbation factors (resampling by `1/f`: 1.1 is 10% faster and higher).
    public var speedMin: Double, speedMax: Double
    /// Gain in dB.
    public var gainMinDB: Double, gainMaxDB: Double
    /// Probability of adding background noise.
    public var noiseProbability: Double
    /// SNR of the added noise against the example (dB).
    public var snrMinDB: Double, snrMaxDB: Double
    /// Largest time shift either way (seconds).
    public var maxShiftSeconds: Double
    /// The augmentation against synthesizer fingerprints (room, equalizer, band limit, clipping, mu-law; its speed
    /// and noise stages are left to the ranges above), applied to each view before the noise; nil: off, as in runs
    /// made before it existed.
    public var channel: SourceAugmentationSettings?

    enum CodingKeys: String, CodingKey {
        case speedMin = "speed_min", speedMax = "speed_max", gainMinDB = "gain_min_db", gainMaxDB = "gain_max_db"
        case noiseProbability = "noise_probability", snrMinDB = "snr_min_db", snrMaxDB = "snr_max_db"
        case maxShiftSeconds = "max_shift_seconds", channel
    }

    /// Settings; the defaults are the pretraining views of CAB-KWS.md (speed 0.9-1.1, gain ±6 dB, noise on 80% at
    /// 0-20 dB SNR, shift ±100 ms).
    public init(
        speedMin: Double = 0.9, speedMax: Double = 1.1, gainMinDB: Double = -6, gainMaxDB: Double = 6,
        noiseProbability: Double = 0.8, snrMinDB: Double = 0, snrMaxDB: Double = 20, maxShiftSeconds: Double = 0.1,
        channel: SourceAugmentationSettings? = nil
    ) {
        self.channel = channel
        self.speedMin = speedMin; self.speedMax = speedMax; self.gainMinDB = gainMinDB; self.gainMaxDB = gainMaxDB
        self.noiseProbability = noiseProbability; self.snrMinDB = snrMinDB; self.snrMaxDB = snrMaxDB
        self.maxShiftSeconds = maxShiftSeconds
    }

    /// No augmentation at all.
    public static let none = AugmentationSettings(
        speedMin: 1, speedMax: 1, gainMinDB: 0, gainMaxDB: 0, noiseProbability: 0, snrMinDB: 0, snrMaxDB: 0, maxShiftSeconds: 0)

    /// Throws if a range is impossible.
    /// - Throws: ``TrainingError/invalidOption(name:value:reason:)``.
    public func validate() throws(TrainingError) {
        guard speedMin > 0.5, speedMax < 2, speedMin <= speedMax else {
            throw .invalidOption(name: "speed range", value: "\(speedMin)-\(speedMax)", reason: "must be ordered, within 0.5-2")
        }
        guard gainMinDB <= gainMaxDB else { throw .invalidOption(name: "gain range", value: "\(gainMinDB)-\(gainMaxDB)", reason: "must be ordered") }
        guard (0...1).contains(noiseProbability) else {
            throw .invalidOption(name: "noise probability", value: "\(noiseProbability)", reason: "must be in 0-1")
        }
        guard snrMinDB <= snrMaxDB else { throw .invalidOption(name: "SNR range", value: "\(snrMinDB)-\(snrMaxDB)", reason: "must be ordered") }
        guard (0...0.5).contains(maxShiftSeconds) else {
            throw .invalidOption(name: "time shift", value: "\(maxShiftSeconds)", reason: "must be 0-0.5 s")
        }
    }
}
