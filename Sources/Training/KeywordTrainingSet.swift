import AudioDatasets
import AudioIO
import Foundation
import TensorCore

/// One drawn training example of a keyword task.
public struct KeywordDraw: Sendable, Equatable {
    /// The clip file, or nil for a `_silence_` example made from background noise.
    public var path: String?
    /// Class index.
    public var label: Int
}

/// The training examples of a Speech Commands task, drawn the standard way: in the 12-class task each example is
/// `_silence_` with probability `silenceShare`, `_unknown_` (any of the other words) with `unknownShare`, and one
/// of the ten command words otherwise (likewise with custom keywords); in the 35-class task every clip is equally likely.
///
/// `labelFraction` keeps that share of each class's clips (at least one; for `_unknown_`, of each unknown word),
/// chosen by a seeded shuffle, for the label-efficiency experiments. Silence examples are made from noise and
/// need no labelled clip.
public struct KeywordTrainingSet: Sendable {
    /// The task.
    public let labelSet: KeywordLabelSet
    /// Clips per class index (the silence class has none).
    public let pools: [[String]]
    /// Chance of a silence example (12 classes and custom keywords).
    public let silenceShare: Double
    /// Chance of an unknown-word example (12 classes and custom keywords).
    public let unknownShare: Double
    /// The index of `_silence_` (12 classes).
    public let silenceLabel: Int?
    /// The index of `_unknown_` (12 classes).
    public let unknownLabel: Int?

    /// Whether class `label` is a keyword (not `_unknown_`, not `_silence_`).
    public func isKeyword(_ label: Int) -> Bool { label != unknownLabel && label != silenceLabel }

    /// The training split of `dataset`, subsampled to `labelFraction`.
    /// - Throws: ``TrainingError/invalidOption(name:value:reason:)`` for impossible shares or fractions.
    public init(dataset: SpeechCommandsDataset, labelFraction: Double, silenceShare: Double = 0.1, unknownShare: Double = 0.1, seed: UInt64) throws {
        guard labelFraction > 0 && labelFraction <= 1 else {
            throw TrainingError.invalidOption(name: "--label-fraction", value: "\(labelFraction)", reason: "must be in (0, 1]")
        }
        guard silenceShare >= 0, unknownShare >= 0, silenceShare + unknownShare < 1 else {
            throw TrainingError.invalidOption(name: "silence/unknown shares", value: "\(silenceShare)/\(unknownShare)", reason: "must be >= 0 and sum below 1")
        }
        let labels = dataset.labelSet.labels
        let silence = labels.firstIndex(of: KeywordLabelSet.silence)
        let unknown = labels.firstIndex(of: KeywordLabelSet.unknown)
        var byWord: [String: [KeywordExample]] = [:]
        for example in dataset.examples[.train] ?? [] where example.label != silence && example.cropStart == nil {
            byWord[example.word, default: []].append(example)
        }
        var pools = [[String]](repeating: [], count: labels.count)
        var rng = SplitMix64(seed: seed)
        for word in byWord.keys.sorted() {
            var clips = byWord[word]!.sorted { $0.path < $1.path }
            clips.shuffle(using: &rng)
            let keep = max(1, Int((Double(clips.count) * labelFraction).rounded()))
            for clip in clips.prefix(keep) { pools[clip.label].append(clip.path) }
        }
        for i in pools.indices where i != silence && pools[i].isEmpty {
            throw TrainingError.invalidOption(name: "dataset", value: dataset.root, reason: "class '\(labels[i])' has no training clip")
        }
        self.labelSet = dataset.labelSet
        self.pools = pools
        self.silenceShare = dataset.labelSet.hasFillerClasses ? silenceShare : 0
        self.unknownShare = dataset.labelSet.hasFillerClasses ? unknownShare : 0
        self.silenceLabel = silence
        self.unknownLabel = unknown
    }

    /// Labelled clips kept.
    public var clipCount: Int { pools.reduce(0) { $0 + $1.count } }

    /// Draws one example.
    public func draw(using rng: inout SplitMix64) -> KeywordDraw {
        let u = Double(rng.nextUniform())
        if let silenceLabel, u < silenceShare { return KeywordDraw(path: nil, label: silenceLabel) }
        if let unknownLabel, u < silenceShare + unknownShare {
            let pool = pools[unknownLabel]
            return KeywordDraw(path: pool[Int(rng.next() % UInt64(pool.count))], label: unknownLabel)
        }
        // Command words (or all words): uniform over the clips of the eligible classes.
        let eligible = pools.indices.filter { $0 != silenceLabel && ($0 != unknownLabel || labelSet == .thirtyFive) }
        let total = eligible.reduce(0) { $0 + pools[$1].count }
        var index = Int(rng.next() % UInt64(total))
        for c in eligible {
            if index < pools[c].count { return KeywordDraw(path: pools[c][index], label: c) }
            index -= pools[c].count
        }
        preconditionFailure("unreachable")
    }
}
