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
    /// The named subsets of the evaluation the clip belongs to (e.g. `word clips with noise`, `engine festival`),
    /// empty for none; see ``KeywordReport/subsetAccuracies``.
    public var subsets: [String]

    /// A classified clip: its file, word folder, true and predicted class indices, and its subsets (if any).
    public init(path: String, word: String, truth: Int, prediction: Int, subsets: [String] = []) {
        self.path = path
        self.word = word
        self.truth = truth
        self.prediction = prediction
        self.subsets = subsets
    }

    /// Whether the prediction is the true class.
    public var isCorrect: Bool { truth == prediction }
}
