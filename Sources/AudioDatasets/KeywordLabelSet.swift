/// The label sets of the Speech Commands benchmark.
public enum KeywordLabelSet: Int, Sendable, Codable, CaseIterable {
    /// yes, no, up, down, left, right, on, off, stop, go, `_unknown_` (every other word), `_silence_`.
    case twelve = 12
    /// All 35 words of Speech Commands v2.
    case thirtyFive = 35

    /// The label spellings, in class-index order.
    public var labels: [String] {
        switch self {
        case .twelve: Self.coreWords + [Self.unknown, Self.silence]
        case .thirtyFive:
            ["backward", "bed", "bird", "cat", "dog", "down", "eight", "five", "follow", "forward", "four", "go",
             "happy", "house", "learn", "left", "marvin", "nine", "no", "off", "on", "one", "right", "seven", "sheila",
             "six", "stop", "three", "tree", "two", "up", "visual", "wow", "yes", "zero"]
        }
    }

    /// The ten command words of the 12-class task.
    public static let coreWords = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
    /// The label of words outside the task's vocabulary.
    public static let unknown = "_unknown_"
    /// The label of clips without speech.
    public static let silence = "_silence_"
}
