import AudioIO
import Foundation

/// A batch of training mixtures: `mixtures [B, T]` and their `sources [B, C, T]`, row-major.
public struct SeparationBatch: Sendable {
    public var batchSize: Int
    public var speakers: Int
    public var length: Int
    /// `[B * T]`.
    public var mixtures: [Float]
    /// `[B * C * T]`.
    public var sources: [Float]
}

/// Draws training batches for a separator, either from fixed mixtures (random crops of LibriMix / WSJ0-mix examples)
/// or by dynamic mixing of a single-talker pool (two utterances of different speakers, the second within +-5 dB of
/// the first, random crops), as the recipes of the field do; optionally augmented against the synthesizers'
/// fingerprints (``SourceAugmenter``: speed, equalizer, room, band limit on the sources; noise, clipping, codec on
/// the mixture), and each source's sign flipped at random (a recording's polarity is arbitrary). Deterministic from
/// the generator it is given.
public struct SeparationBatchSource: Sendable {
    /// Where the examples come from.
    public enum Mode: Sendable {
        /// Fixed mixtures with their references.
        case fixed([SeparationExample])
        /// Utterances `(path, speaker)` to mix on the fly.
        case dynamic([(path: String, speaker: String)])
    }

    public let mode: Mode
    public let sampleRate: Int
    public let speakers: Int
    /// Negate each source of an example with probability 1/2 (drawn after the example, so that without it the
    /// generator's stream is what it was before the option existed).
    public let randomPolarity: Bool
    /// Augments each example after its crops and levels, before the polarity flips (nil: none, and the generator's
    /// stream is what it was before augmentation existed).
    public let augmenter: SourceAugmenter?

    /// - Throws: ``DatasetError/emptySplit(split:path:)`` for an empty list, `.invalidOption` when dynamic mixing
    ///   has fewer than two speakers or the augmenter works at another rate.
    public init(mode: Mode, sampleRate: Int, speakers: Int = 2, randomPolarity: Bool = false, augmenter: SourceAugmenter? = nil) throws {
        if let augmenter, augmenter.sampleRate != sampleRate {
            throw DatasetError.invalidOption(name: "augmenter", value: "\(augmenter.sampleRate) Hz", reason: "the examples are at \(sampleRate) Hz")
        }
        switch mode {
        case .fixed(let examples):
            guard !examples.isEmpty else { throw DatasetError.emptySplit(split: "training", path: "mixture list") }
            if let bad = examples.first(where: { $0.sources.count != speakers }) {
                throw DatasetError.invalidOption(name: "mixture", value: bad.id, reason: "has \(bad.sources.count) sources, the model separates \(speakers)")
            }
        case .dynamic(let pool):
            guard Set(pool.map(\.speaker)).count >= speakers else {
                throw DatasetError.invalidOption(name: "pool", value: "\(pool.count) utterances", reason: "dynamic mixing needs at least \(speakers) speakers")
            }
        }
        self.mode = mode
        self.sampleRate = sampleRate
        self.speakers = speakers
        self.randomPolarity = randomPolarity
        self.augmenter = augmenter
    }

    /// Reads a pool CSV written by `sepkws synth mixtures` (`pool/<split>.csv`: path, speaker, text).
    public static func pool(csv path: String) throws -> [(path: String, speaker: String)] {
        let table = try CSVTable(path: path)
        let root = ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        guard let p = table.header.firstIndex(of: "path"), let s = table.header.firstIndex(of: "speaker") else {
            throw DatasetError.malformedManifest(path: path, line: 1, reason: "needs path and speaker columns")
        }
        return table.rows.map { ((root as NSString).appendingPathComponent($0[p]), $0[s]) }
    }

    /// `batchSize` examples of `length` samples. Without an augmenter each mixture is the sum of its sources; with
    /// one, the mixture is the sum of the augmented sources put through the mixture-only stage, and the sources
    /// are the targets (see ``SourceAugmenter``).
    /// - Throws: `AudioIOError` if a file cannot be read.
    public func batch(size batchSize: Int, length: Int, using rng: inout some RandomNumberGenerator) throws -> SeparationBatch {
        var mixtures = [Float](repeating: 0, count: batchSize * length)
        var sources = [Float](repeating: 0, count: batchSize * speakers * length)
        for b in 0..<batchSize {
            var parts = try example(length: augmenter?.inputLength(for: length) ?? length, using: &rng)
            // The training targets, with an augmenter (else the parts the mixture sums).
            var targets: [[Float]]?
            var bandLimit: Double?
            if let augmenter {
                let augmented = try augmenter.augmentSources(parts, length: length, using: &rng)
                parts = augmented.mixed
                targets = augmented.targets
                bandLimit = augmented.bandLimit
            }
            if randomPolarity {
                for c in parts.indices where Bool.random(using: &rng) {
                    parts[c] = parts[c].map { -$0 }
                    if let target = targets?[c] { targets?[c] = target.map { -$0 } }
                }
            }
            for c in 0..<speakers {
                let target = targets?[c] ?? parts[c]
                for t in 0..<length {
                    sources[(b * speakers + c) * length + t] = target[t]
                    mixtures[b * length + t] += parts[c][t]
                }
            }
            if let augmenter {
                var mixture = Array(mixtures[(b * length)..<((b + 1) * length)])
                let gain = try augmenter.degradeMixture(&mixture, bandLimit: bandLimit, using: &rng)
                mixtures.replaceSubrange((b * length)..<((b + 1) * length), with: mixture)
                if gain != 1 {
                    for i in (b * speakers * length)..<((b + 1) * speakers * length) { sources[i] *= gain }
                }
            }
        }
        return SeparationBatch(batchSize: batchSize, speakers: speakers, length: length, mixtures: mixtures, sources: sources)
    }

    /// One example's sources, each `[length]`.
    private func example(length: Int, using rng: inout some RandomNumberGenerator) throws -> [[Float]] {
        switch mode {
        case .fixed(let examples):
            let example = examples.randomElement(using: &rng)!
            let signals = try example.sources.map { try MonoReader(path: $0, sampleRate: sampleRate).readAll() }
            let count = signals.map(\.count).min()!
            let start = count > length ? Int.random(in: 0...(count - length), using: &rng) : 0
            return signals.map { Self.crop($0, start: start, length: length) }
        case .dynamic(let pool):
            var chosen: [(path: String, speaker: String)] = []
            while chosen.count < speakers {
                let candidate = pool.randomElement(using: &rng)!
                if !chosen.contains(where: { $0.speaker == candidate.speaker }) { chosen.append(candidate) }
            }
            let reference = Double.random(in: -30...(-20), using: &rng)
            return try chosen.enumerated().map { i, item in
                let signal = try MonoReader(path: item.path, sampleRate: sampleRate).readAll()
                let start = signal.count > length ? Int.random(in: 0...(signal.count - length), using: &rng) : 0
                let level = i == 0 ? reference : reference + Double.random(in: -5...5, using: &rng)
                return SignalLevel.scaled(Self.crop(signal, start: start, length: length), toRMS: level)
            }
        }
    }

    /// `signal[start..<start+length]`, zero-padded at the end.
    private static func crop(_ signal: [Float], start: Int, length: Int) -> [Float] {
        var out = Array(signal[min(start, signal.count)..<min(start + length, signal.count)])
        if out.count < length { out += [Float](repeating: 0, count: length - out.count) }
        return out
    }
}
