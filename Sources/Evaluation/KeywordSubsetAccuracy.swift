/// The accuracy of a keyword classifier on a named subset of the evaluated clips, e.g. the word clips recorded with
/// and without background noise (see ``KeywordEvaluator/evaluate(_:batchSize:subsets:classifyBatch:progress:)``).
public struct KeywordSubsetAccuracy: Sendable, Equatable, Codable {
    /// The subset's name, as the evaluator's `subset` function gave it.
    public var name: String
    /// Clips in the subset (at least 1).
    public var examples: Int
    /// Of those, the clips classified correctly.
    public var correct: Int

    /// A subset of `examples` clips of which `correct` were classified correctly.
    public init(name: String, examples: Int, correct: Int) {
        self.name = name
        self.examples = examples
        self.correct = correct
    }

    /// `correct / examples` in `0...1` (0 for an empty subset).
    public var accuracy: Double { examples == 0 ? 0 : Double(correct) / Double(examples) }

    enum CodingKeys: String, CodingKey { case name, examples, correct, accuracy }

    /// Decodes `name`, `examples` and `correct` (`accuracy` is derived).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name), examples: try container.decode(Int.self, forKey: .examples),
                  correct: try container.decode(Int.self, forKey: .correct))
    }

    /// Encodes `name`, `examples`, `correct` and the derived `accuracy`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(examples, forKey: .examples)
        try container.encode(correct, forKey: .correct)
        try container.encode(accuracy, forKey: .accuracy)
    }
}
