import AudioDatasets
import AudioIO
import Foundation

/// Runs a clip classifier over labelled keyword examples (Speech Commands layout) and builds the confusion matrix.
///
/// Each clip is read with ``AudioIO/MonoReader`` at ``sampleRate``; a `_silence_` example's 1 s crop of a
/// background-noise file starts at its `cropStart` (a frame of the file, converted to ``sampleRate``). The classifier
/// gets the clip's samples as they are (Speech Commands clips are at most 1 s; padding is the model's business).
///
/// ```swift
/// let dataset = try SpeechCommandsDataset(root: "speech_commands", labelSet: .twelve)
/// let report = try KeywordEvaluator(labels: KeywordLabelSet.twelve.labels)
///     .evaluate(dataset.examples[.test]!) { clip in try spotter.classify(clip) }
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

    /// Classifies every example in order.
    /// - Parameters:
    ///   - examples: labelled clips, at least one.
    ///   - classify: clip `[n]` → class index in `labels`.
    ///   - progress: called after each clip with (done, total).
    /// - Returns: the confusion matrix, predictions and timing.
    /// - Throws: ``EvaluationError`` (no examples, a class index outside `labels`, a failed classification) or
    ///   ``AudioIO/AudioIOError`` for a file that cannot be read.
    public func evaluate(
        _ examples: [KeywordExample], classify: ([Float]) throws -> Int,
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> KeywordReport {
        guard !examples.isEmpty else { throw EvaluationError.emptyInput(what: "examples") }
        var confusion = ConfusionMatrix(labels: labels)
        var predictions: [KeywordPrediction] = []
        var audioSeconds = 0.0, processingSeconds = 0.0
        let clock = ContinuousClock()
        for (i, example) in examples.enumerated() {
            let samples = try clip(example)
            let item = example.cropStart.map { "\(example.path)@\($0)" } ?? example.path
            let start = clock.now
            let prediction: Int
            do { prediction = try classify(samples) } catch {
                throw EvaluationError.classificationFailed(item: item, reason: "\(error)")
            }
            let elapsed = clock.now - start
            processingSeconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            audioSeconds += Double(samples.count) / Double(sampleRate)
            try confusion.add(truth: example.label, prediction: prediction, item: item)
            predictions.append(KeywordPrediction(path: example.path, word: example.word, truth: example.label, prediction: prediction))
            progress?(i + 1, examples.count)
        }
        return KeywordReport(confusion: confusion, predictions: predictions, audioSeconds: audioSeconds, processingSeconds: processingSeconds)
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
