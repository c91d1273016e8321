import Foundation

/// Decides whether a transcript of a clip says the clip's text: the rule of the intelligibility judge
/// (``IntelligibilityJudge``).
///
/// Both sides are reduced to words (``words(of:)``: lower case, accents and apostrophes dropped, any other
/// character that is not a letter or digit a word break, a lone digit spelled out). The transcript says the text
/// when the text's words occur in it as a run of consecutive words, where each of the text's words may be matched by:
/// - itself;
/// - a **homophone**: a word pronounced the same in General American English (``homophones``), because a
///   recognizer hears sound, not spelling, and an isolated word gives it no context to choose a spelling
///   (`two`, `to` and `too` sound the same; `off` and `of` do not, `/ɔf/` and `/ʌv/`, so `of` does not count);
/// - consecutive transcript words that spell it when joined (`for ward`, `mar-vin`): a word boundary is not a sound.
///
/// Extra words around the text are allowed: Whisper tiny.en adds words to short clips (`Stop it.`, `Yes, sir.`), and
/// a clip that also says something else still says its text. Other word forms (`backwards` for `backward`, `yeah`
/// for `yes`) do not count: they sound different.
///
/// ```swift
/// let matcher = TranscriptMatcher()
/// matcher.says(" Write.", text: "right")   // true
/// matcher.says("Of.", text: "off")         // false
/// ```
public struct TranscriptMatcher: Sendable {
    /// Homophones by word: words pronounced like the key (General American), each set without the key itself. Looked
    /// up both ways (a homophone of `to` is `two`).
    public var homophones: [String: Set<String>]

    /// The homophones of the 35 Speech Commands words (and the digits' spellings): `no`/`know`, `two`/`to`/`too`,
    /// `four`/`for`/`fore`, `eight`/`ate`, `right`/`write`/`rite`/`wright`, `one`/`won`, `forward`/`foreword`.
    /// The other words have none in General American English; in particular `off` (`/ɔf/`) is not `of` (`/ʌv/`),
    /// `tree` is not `three`, and `wow` is not `whoa`.
    public static let speechCommandsHomophones: [String: Set<String>] = [
        "no": ["know"], "two": ["to", "too"], "four": ["for", "fore"], "eight": ["ate"],
        "right": ["write", "rite", "wright"], "one": ["won"], "forward": ["foreword"],
    ]

    /// A matcher with `homophones` (default ``speechCommandsHomophones``).
    public init(homophones: [String: Set<String>] = TranscriptMatcher.speechCommandsHomophones) {
        self.homophones = homophones
    }

    /// The spelled-out digits: a transcript's lone `0`-`9` counts as the word.
    static let digitWords = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

    /// `text` as lower-case words: accents and apostrophes dropped, every other character that is not a letter or a
    /// digit a word break, and a lone digit spelled out (`"Don't stop, 2!"` gives `dont stop two`).
    public static func words(of text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        var words: [String] = [], word = ""
        for character in folded {
            if character == "'" || character == "\u{2019}" { continue }
            if character.isLetter || character.isNumber {
                word.append(character)
            } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        return words.map { word in
            if word.count == 1, let digit = word.first?.wholeNumberValue, (0...9).contains(digit) { return digitWords[digit] }
            return word
        }
    }

    /// Whether `spoken` (a transcript's word) counts as `word` (a text's word): the same, or a homophone.
    public func sounds(_ spoken: String, like word: String) -> Bool {
        spoken == word || homophones[word]?.contains(spoken) == true || homophones[spoken]?.contains(word) == true
    }

    /// Whether `transcript` says `text` (see the type's rule).
    /// - Returns: false for a text without words.
    public func says(_ transcript: String, text: String) -> Bool {
        let target = Self.words(of: text), heard = Self.words(of: transcript)
        guard !target.isEmpty else { return false }
        return heard.indices.contains { matches(target[...], in: heard[$0...]) }
    }

    /// Whether `heard` starts with the words of `target`, each matched by one word or by consecutive words joined.
    private func matches(_ target: ArraySlice<String>, in heard: ArraySlice<String>) -> Bool {
        guard let word = target.first else { return true }
        var joined = ""
        for end in heard.indices {
            joined += heard[end]
            let next = heard[(end + 1)...]
            if end == heard.startIndex, sounds(joined, like: word), matches(target.dropFirst(), in: next) { return true }
            if end > heard.startIndex, joined == word, matches(target.dropFirst(), in: next) { return true }
            guard joined.count < word.count else { break }
        }
        return false
    }
}
