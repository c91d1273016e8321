import AudioDatasets
import AudioIO
import Foundation

/// Runs a clip classifier over labelled keyword examples (Speech Commands layout) and builds the confusion matrix.
///
/// Each clip is read with ``AudioIO/MonoReader`` at ``sampleRate``; a `_silence_` example's 1 s crop of a
/// background-noise file starts at its `cropStart` (a frame of the file, converted to ``sampleRate``). The classifier
/// gets the clip's samples as they are (Speech Commands clips are at most 1 s; padding is the model's business).
/// Clips can be classified one at a time or in batches.
///
/// ```swift
/// let dataset = try SpeechCommandsDataset(root: "speech_commands", labelSet: .twelve)
/// let report = try KeywordEvaluator(labels: KeywordLabelSet.twelve.labels)
///     .evaluate(dataset.examples[.test]!, batchSize: 64) { clips in spotter.classify(clips).map(\.index) }
/// print(report.textTable(), terminator: "")
/// ```
public struct KeywordEvaluator: Sendable {
    /// Class names, in class-index order.
    public var labels: [String]
    /// The rate clips are read at (Hz).
    public var sampleRate: Int

    /// - Parameters:
    ///   - labels: class names in index order (e.g. ``AudioDatasets/KeywordLabelSet/labels``).
    ///   - sampleRate: the classifier's rate (Hz).
    public init(labels: [String], sampleRate: Int = 16_000) {
        self.labels = labels
        self.sampleRate = sampleRate
    }

    /// Classifies every example in order, one clip per call.
    /// - Parameters:
    ///   - examples: labelled clips, at least one.
    ///   - subsets: the named subsets an example belongs to, or none (see ``KeywordReport/subsetAccuracies``).
    ///   - classify: clip `[n]` → class index in `labels`.
    ///   - progress: called after each clip with (done, total).
    /// - Returns: the confusion matrix, predictions and timing.
    /// - Throws: as ``evaluate(_:batchSize:subsets:classifyBatch:progress:)``.
    public func evaluate(
        _ examples: [KeywordExample], subsets: (KeywordExample) -> [String] = { _ in [] },
        classify: ([Float]) throws -> Int,
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> KeywordReport {
        try evaluate(examples, batchSize: 1, subsets: subsets, classifyBatch: { clips in try clips.map(classify) }, progress: progress)
    }

    /// Classifies the examples in order, `batchSize` clips per call (the last batch may be shorter); a batched
    /// classifier is much faster per clip than one clip at a time.
    /// - Parameters:
    ///   - examples: labelled clips, at least one.
    ///   - batchSize: clips per call of `classifyBatch`, at least 1.
    ///   - subsets: the named subsets an example belongs to (e.g. `word clips with noise`, `engine festival`,
    ///     `voice festival:rab_diphone`), or none; the report gives the accuracy per subset
    ///     (``KeywordReport/subsetAccuracies``).
    ///   - classifyBatch: clips `[b][n_i]` → one class index in `labels` per clip, `[b]`.
    ///   - progress: called after each batch with (done, total) clips.
    /// - Returns: the confusion matrix, predictions and timing (``KeywordReport/processingSeconds`` is the time spent
    ///   in `classifyBatch`, not reading audio).
    /// - Throws: ``EvaluationError`` (no examples, a batch size below 1, a class index outside `labels`, a failed
    ///   classification or one returning the wrong number of indices) or ``AudioIO/AudioIOError`` for a file that
    ///   cannot be read.
    public func evaluate(
        _ examples: [KeywordExample], batchSize: Int, subsets: (KeywordExample) -> [String] = { _ in [] },
        classifyBatch: ([[Float]]) throws -> [Int],
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> KeywordReport {
        guard !examples.isEmpty else { throw EvaluationError.emptyInput(what: "examples") }
        guard batchSize >= 1 else {
            throw EvaluationError.invalidParameter(name: "batch size", value: "\(batchSize)", reason: "must be at least 1")
        }
        var confusion = ConfusionMatrix(labels: labels)
        var predictions: [KeywordPrediction] = []
        var audioSeconds = 0.0, processingSeconds = 0.0
        let clock = ContinuousClock()
        for batchStart in stride(from: 0, to: examples.count, by: batchSize) {
            let batch = examples[batchStart..<min(examples.count, batchStart + batchSize)]
            let clips = try batch.map(clip)
            let items = batch.map(Self.item)
            let name = items.count == 1 ? items[0] : "\(items[0]) (and the \(items.count - 1) other clips of its batch)"
            let start = clock.now
            let classes: [Int]
            do { classes = try classifyBatch(clips) } catch {
                throw EvaluationError.classificationFailed(item: name, reason: "\(error)")
            }
            let elapsed = clock.now - start
            processingSeconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            guard classes.count == clips.count else {
                throw EvaluationError.classificationFailed(item: name, reason: "\(classes.count) class indices for \(clips.count) clips")
            }
            for ((example, samples), (item, prediction)) in zip(zip(batch, clips), zip(items, classes)) {
                audioSeconds += Double(samples.count) / Double(sampleRate)
                try confusion.add(truth: example.label, prediction: prediction, item: item)
                predictions.append(KeywordPrediction(
                    path: example.path, word: example.word, truth: example.label, prediction: prediction, subsets: subsets(example)))
            }
            progress?(batchStart + batch.count, examples.count)
        }
        return KeywordReport(confusion: confusion, predictions: predictions, audioSeconds: audioSeconds, processingSeconds: processingSeconds)
    }

    /// How errors name an example: its path, with `@cropStart` for a silence crop.
    private static func item(_ example: KeywordExample) -> String {
        example.cropStart.map { "\(example.path)@\($0)" } ?? example.path
    }

    /// The example's samples at ``sampleRate``, `[n]`: the whole file, or the 1 s crop of a silence example.
    /// - Throws: ``AudioIO/AudioIOError`` naming the file.
    public func clip(_ example: KeywordExample) throws -> [Float] {
        let reader = try MonoReader(path: example.path, sampleRate: sampleRate)
        let fileRate = reader.info.sampleRate
        let samples = try reader.readAll()
        guard let cropStart = example.cropStart else { return samples }
        let start = min(samples.count, Int((Double(cropStart) * Double(sampleRate) / Double(fileRate)).rounded()))
        return Array(samples[start..<min(samples.count, start + sampleRate)])
    }
}
