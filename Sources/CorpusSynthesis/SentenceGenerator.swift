/// Makes English sentences from a small built-in grammar and vocabulary (written for SepKWS), so corpora need no
/// downloaded text. Sentences run from about 4 to 20 words; combined with random voices and rates they give speech
/// of roughly 1 to 10 seconds.
public struct SentenceGenerator: Sendable {
    /// The vocabulary, less any entry that holds an avoided word.
    let determiners: [String], adjectives: [String], nouns: [String], verbs: [String], prepositions: [String]
    let openers: [String], connectives: [String], subjects: [String]

    /// A generator whose sentences never say a word of `avoiding` (lowercase words; for example the keywords, so that
    /// running speech used as "not a keyword" holds none). With nothing to avoid, the same sentences as always.
    public init(avoiding: Set<String> = []) {
        func kept(_ entries: [String]) -> [String] {
            avoiding.isEmpty ? entries : entries.filter { entry in !entry.split(separator: " ").contains { avoiding.contains(String($0)) } }
        }
        (determiners, adjectives, nouns, verbs) = (kept(Self.determiners), kept(Self.adjectives), kept(Self.nouns), kept(Self.verbs))
        (prepositions, openers, connectives, subjects) = (kept(Self.prepositions), kept(Self.openers), kept(Self.connectives), kept(Self.subjects))
    }

    /// The lowercase words of `phrases` (`["hey jarvis", "Computer"]` -> `{"hey", "jarvis", "computer"}`): what running
    /// speech must never say when those phrases are keywords, since nothing labels a keyword said inside a sentence.
    public static func words(of phrases: [String]) -> Set<String> {
        Set(phrases.flatMap { $0.lowercased().split(separator: " ").map(String.init) })
    }

    static let determiners = ["the", "a", "this", "that", "my", "your", "our", "their", "every", "one", "some", "no"]
    static let adjectives = [
        "old", "new", "small", "large", "quiet", "loud", "bright", "dark", "green", "red", "blue", "warm", "cold",
        "early", "late", "happy", "tired", "busy", "careful", "strange", "simple", "heavy", "empty", "open", "sharp",
        "gentle", "rapid", "distant", "local", "famous", "hidden", "broken", "golden", "silver", "wooden", "narrow",
    ]
    static let nouns = [
        "teacher", "garden", "window", "river", "doctor", "kitchen", "letter", "station", "morning", "village",
        "engine", "market", "bridge", "picture", "student", "mountain", "table", "forest", "camera", "painter",
        "library", "captain", "number", "question", "summer", "winter", "bottle", "pocket", "harbor", "island",
        "farmer", "ticket", "record", "signal", "engineer", "neighbor", "basket", "blanket", "candle", "chair",
        "office", "journey", "factory", "orchestra", "museum", "lesson", "weather", "message", "street", "corner",
        "planet", "computer", "radio", "program", "story", "dinner", "window seat", "coffee", "sandwich", "paper",
    ]
    static let verbs = [
        "found", "carried", "opened", "painted", "watched", "visited", "described", "remembered", "repaired",
        "followed", "borrowed", "noticed", "finished", "cleaned", "moved", "counted", "measured", "answered",
        "closed", "collected", "dropped", "wanted", "needed", "explained", "recorded", "heard", "checked", "sold",
    ]
    static let prepositions = ["near", "behind", "under", "beside", "across", "inside", "past", "toward", "around", "before"]
    static let openers = [
        "yesterday", "last week", "in the evening", "after lunch", "every morning", "on sunday", "later that day",
        "for a while", "at first", "suddenly", "of course", "as usual", "in the end", "once again",
    ]
    static let connectives = ["and then", "because", "while", "but", "so", "until", "although", "after"]
    static let subjects = ["she", "he", "they", "we", "the children", "my brother", "our team", "the old man", "nobody"]

    /// One sentence with about `clauses` clauses (1 to 3).
    public func sentence(clauses: Int = 1, using rng: inout some RandomNumberGenerator) -> String {
        var parts: [String] = []
        if Int.random(in: 0..<3, using: &rng) == 0 { parts.append(openers.randomElement(using: &rng)!) }
        for c in 0..<max(1, min(clauses, 3)) {
            if c > 0 { parts.append(connectives.randomElement(using: &rng)!) }
            parts.append(clause(using: &rng))
        }
        return parts.joined(separator: " ")
    }

    private func clause(using rng: inout some RandomNumberGenerator) -> String {
        var words: [String] = []
        if Bool.random(using: &rng) {
            words.append(subjects.randomElement(using: &rng)!)
        } else {
            words += nounPhrase(using: &rng)
        }
        words.append(verbs.randomElement(using: &rng)!)
        words += nounPhrase(using: &rng)
        if Bool.random(using: &rng) {
            words.append(prepositions.randomElement(using: &rng)!)
            words += nounPhrase(using: &rng)
        }
        return words.joined(separator: " ")
    }

    private func nounPhrase(using rng: inout some RandomNumberGenerator) -> [String] {
        var words = [determiners.randomElement(using: &rng)!]
        if Bool.random(using: &rng) { words.append(adjectives.randomElement(using: &rng)!) }
        words.append(nouns.randomElement(using: &rng)!)
        return words
    }
}
