/// One detected keyword.
public struct KeywordEvent: Sendable, Equatable {
    /// The stream sample at which it was detected: the end of the window that triggered it.
    public var endSample: Int
    /// The class index in the model's labels.
    public var classIndex: Int
    /// The label, spelled as the model's.
    public var keyword: String
    /// The smoothed probability when it fired.
    public var score: Float
    /// The talker (0-based) whose stream it was heard in; 0 without separation.
    public var talker: Int

    public init(endSample: Int, classIndex: Int, keyword: String, score: Float, talker: Int) {
        self.endSample = endSample
        self.classIndex = classIndex
        self.keyword = keyword
        self.score = score
        self.talker = talker
    }
}
