/// One classified clip: a row of the keyword evaluator's per-example CSV.
public struct KeywordPrediction: Sendable, Equatable, Codable {
    /// The audio file.
    public var path: String
    /// The word folder it came from (`_background_noise_` for silence crops).
    public var word: String
    /// True class index.
    public var truth: Int
    /// Predicted class index.
    public var prediction: Int
    /// The named subset of the evaluation the clip belongs to (e.g. `word clips with noise`), or nil for none; see
    /// ``KeywordReport/subsetAccuracies``.
    public var subset: String?

    /// A classified clip: its file, word folder, true and predicted class indices, and its subset (if any).
    public init(path: String, word: String, truth: Int, prediction: Int, subset: String? = nil) {
        self.path = path
        self.word = word
        self.truth = truth
        self.prediction = prediction
        self.subset = subset
    }

    /// Whether the prediction is the true class.
    public var isCorrect: Bool { truth == prediction }
}
