import AudioIO
import Foundation

/// Loading the 1 s windows of a keyword dataset, and the balanced evaluation subsets of its splits.
public enum KeywordClips {
    /// The seed of the balanced subsets that training's validation and `eval-kws` report on.
    public static let balanceSeed: UInt64 = 7

    /// The window of an example: the clip (mono, resampled to `sampleRate`, cut or zero-padded to `length`), or for a
    /// silence example the 1 s crop of its background-noise file at `cropStart`.
    /// - Throws: `AudioIOError` if the file cannot be read.
    public static func load(_ example: KeywordExample, sampleRate: Int, length: Int) throws -> [Float] {
        try load(path: example.path, cropStart: example.cropStart, sampleRate: sampleRate, length: length)
    }

    /// See ``load(_:sampleRate:length:)``.
    public static func load(path: String, cropStart: Int?, sampleRate: Int, length: Int) throws -> [Float] {
        var samples = try MonoReader(path: path, sampleRate: sampleRate).readAll()
        if let cropStart { samples = Array(samples.dropFirst(min(cropStart, samples.count)).prefix(length)) }
        if samples.count > length { return Array(samples[0..<length]) }
        return samples + [Float](repeating: 0, count: length - samples.count)
    }

    /// A split in the proportions of the standard Speech Commands test set: in the 12-class task (and with custom
    /// keywords) `_unknown_` and `_silence_` are each subsampled (seeded) to the mean size of the keyword classes, so every class weighs about the same; in the 35-class task the split is returned unchanged.
    /// - Parameters:
    ///   - examples: a split of a ``SpeechCommandsDataset``.
    ///   - labelSet: its task.
    ///   - limit: at most this many examples (a seeded subsample keeping the proportions), or nil.
    ///   - rng: the subsampling generator (the callers seed a `SplitMix64` with ``balanceSeed``).
    public static func balanced(
        _ examples: [KeywordExample], labelSet: KeywordLabelSet, limit: Int? = nil, using rng: inout some RandomNumberGenerator
    ) -> [KeywordExample] {
        var result = examples
        if labelSet.hasFillerClasses {
            let labels = labelSet.labels
            let unknown = labels.firstIndex(of: KeywordLabelSet.unknown)!, silence = labels.firstIndex(of: KeywordLabelSet.silence)!
            let core = examples.filter { $0.label != unknown && $0.label != silence }
            let perClass = max(1, core.count / max(1, labelSet.keywords.count))
            var unknowns = examples.filter { $0.label == unknown }
            var silences = examples.filter { $0.label == silence }
            unknowns.shuffle(using: &rng)
            silences.shuffle(using: &rng)
            result = core + unknowns.prefix(perClass) + silences.prefix(perClass)
        }
        if let limit, result.count > limit {
            result.shuffle(using: &rng)
            result = Array(result.prefix(limit))
        }
        return result.sorted { ($0.label, $0.path, $0.cropStart ?? -1) < ($1.label, $1.path, $1.cropStart ?? -1) }
    }
}
