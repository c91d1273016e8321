/// One labelled 1 s example of a keyword dataset: a clip file, or a crop of a background-noise file (silence).
public struct KeywordExample: Sendable, Hashable {
    /// The audio file.
    public var path: String
    /// Class index in the label set.
    public var label: Int
    /// The word folder it came from (`_background_noise_` for silence).
    public var word: String
    /// For silence examples: the first sample of the 1 s crop within `path`.
    public var cropStart: Int?

    public init(path: String, label: Int, word: String, cropStart: Int? = nil) {
        self.path = path
        self.label = label
        self.word = word
        self.cropStart = cropStart
    }
}
