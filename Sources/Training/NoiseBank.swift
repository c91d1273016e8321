import AudioDatasets
import AudioIO
import Foundation
import TensorCore

/// Background noises to mix into training examples: long mono signals at the training rate.
///
/// Made from files (the `_background_noise_` folder of a Speech Commands layout, any format and rate) or
/// synthesized (white, pink, brown, hum from `NoiseGenerator`), deterministically from a seed.
public struct NoiseBank: Sendable {
    /// The noise signals, `[count][samples]`, each at least one crop long.
    public let signals: [[Float]]
    /// Their names (file names, or the noise kinds).
    public let names: [String]

    /// Noises read from files, resampled to `sampleRate`; files shorter than `minimumLength` are skipped.
    /// - Throws: ``TrainingError/noUsableAudio(path:reason:)`` when no file is usable.
    public init(files: [String], sampleRate: Int, minimumLength: Int) throws {
        var signals: [[Float]] = [], names: [String] = []
        for file in files {
            guard let samples = try? MonoReader(path: file, sampleRate: sampleRate).readAll(), samples.count >= minimumLength,
                SignalLevel.rms(samples) > 0
            else { continue }
            signals.append(samples)
            names.append((file as NSString).lastPathComponent)
        }
        guard !signals.isEmpty else {
            throw TrainingError.noUsableAudio(path: files.first ?? "(no noise files)", reason: "no readable noise file of at least \(minimumLength) samples")
        }
        self.signals = signals
        self.names = names
    }

    /// Synthetic noises (white, pink, brown, hum), `seconds` long each.
    public static func synthetic(sampleRate: Int, seconds: Int = 30, seed: UInt64) -> NoiseBank {
        var rng = SplitMix64(seed: seed)
        let kinds = NoiseKind.synthetic
        return NoiseBank(
            signals: kinds.map { NoiseGenerator.make($0, count: seconds * sampleRate, sampleRate: sampleRate, using: &rng) },
            names: kinds.map(\.rawValue))
    }

    /// A bank of given signals.
    public init(signals: [[Float]], names: [String]) {
        precondition(!signals.isEmpty && signals.count == names.count, "NoiseBank needs named signals")
        self.signals = signals
        self.names = names
    }

    /// A random crop of `length` samples from a random noise (looped if the noise is shorter).
    public func crop(length: Int, using rng: inout SplitMix64) -> [Float] {
        let signal = signals[Int(rng.next() % UInt64(signals.count))]
        let start = Int(rng.next() % UInt64(max(1, signal.count - length)))
        return (0..<length).map { signal[(start + $0) % signal.count] }
    }
}
