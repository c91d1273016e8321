/// The label set of a keyword task: the Speech Commands benchmark's 12 or 35 classes, or a custom list of keywords
/// (wake words and phrases, `train-kws --words`) followed by `_unknown_` and `_silence_`.
///
/// In a Speech Commands folder each word has a folder. With ``twelve`` and ``custom(keywords:)`` every folder that is
/// not one of the keywords is `_unknown_` and `_silence_` examples are crops of `_background_noise_`; with
/// ``thirtyFive`` every folder is its own class. A keyword's folder is the keyword with spaces written as `_`
/// (``folderName(for:)``): `hey jarvis` lives in `hey_jarvis/`, while the label keeps the text as given.
///
/// ```swift
/// let set = KeywordLabelSet.custom(keywords: ["hey jarvis", "computer"])
/// set.labels                          // ["hey jarvis", "computer", "_unknown_", "_silence_"]
/// set.label(forFolder: "hey_jarvis")  // 0
/// set.label(forFolder: "harvest")     // 2 (_unknown_)
/// ```
public enum KeywordLabelSet: Sendable, Hashable {
    /// yes, no, up, down, left, right, on, off, stop, go, `_unknown_` (every other word), `_silence_`.
    case twelve
    /// All 35 words of Speech Commands v2.
    case thirtyFive
    /// The given keywords in order, then `_unknown_` (every other folder) and `_silence_`.
    case custom(keywords: [String])

    /// The label spellings, in class-index order.
    public var labels: [String] {
        switch self {
        case .twelve: Self.coreWords + [Self.unknown, Self.silence]
        case .thirtyFive:
            ["backward", "bed", "bird", "cat", "dog", "down", "eight", "five", "follow", "forward", "four", "go",
             "happy", "house", "learn", "left", "marvin", "nine", "no", "off", "on", "one", "right", "seven", "sheila",
             "six", "stop", "three", "tree", "two", "up", "visual", "wow", "yes", "zero"]
        case .custom(let keywords): keywords + [Self.unknown, Self.silence]
        }
    }

    /// The classes a detector watches: every label but `_unknown_` and `_silence_`.
    public var keywords: [String] { labels.filter { $0 != Self.unknown && $0 != Self.silence } }

    /// Whether folders outside the keywords are `_unknown_` and `_silence_` is made from background noise
    /// (``twelve`` and ``custom(keywords:)``; not ``thirtyFive``, where every folder is a class).
    public var hasFillerClasses: Bool { self != .thirtyFive }

    /// The class index of the examples in word folder `folder`: its keyword's index, `_unknown_` for other folders
    /// when the set has filler classes, nil (not part of the task) otherwise.
    public func label(forFolder folder: String) -> Int? {
        let labels = labels
        if let index = labels.firstIndex(where: { Self.folderName(for: $0) == folder && $0 != Self.unknown && $0 != Self.silence }) {
            return index
        }
        // The official test set's `_silence_` and `_unknown_` folders hold clips of those classes.
        if folder == Self.silence || folder == Self.unknown { return labels.firstIndex(of: folder) }
        return hasFillerClasses ? labels.firstIndex(of: Self.unknown) : nil
    }

    /// The set whose labels are exactly `labels` (a model's `config.json`), or nil if they are not a set's
    /// (custom sets end with `_unknown_`, `_silence_`).
    public init?(labels: [String]) {
        if labels == Self.twelve.labels { self = .twelve }
        else if labels == Self.thirtyFive.labels { self = .thirtyFive }
        else if labels.count >= 3, labels.suffix(2) == [Self.unknown, Self.silence] { self = .custom(keywords: Array(labels.dropLast(2))) }
        else { return nil }
    }

    /// The word folder of a keyword in a Speech Commands layout: spaces (and other whitespace) become `_`.
    public static func folderName(for keyword: String) -> String {
        String(keyword.map { $0.isWhitespace ? "_" : $0 })
    }

    /// The ten command words of the 12-class task.
    public static let coreWords = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
    /// The label of words outside the task's vocabulary.
    public static let unknown = "_unknown_"
    /// The label of clips without speech.
    public static let silence = "_silence_"
}
