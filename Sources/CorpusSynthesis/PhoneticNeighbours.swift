import AudioDatasets
import Foundation
import SpeechSynthesis

/// Words that sound almost like a wake phrase, for hard negatives: a word list's entries whose espeak-ng phonemes are
/// within a small edit distance of the phrase's phonemes or of one of its words' (`hey jarvis` -> `harvest`,
/// `high`, `they`), and the phrase with one word swapped for such a neighbour (`hey harvest`, `high jarvis`).
/// Words that sound exactly the same (distance 0: `hay` for `hey`) are left out: nothing can learn to reject them.
///
/// The distance is Levenshtein's over phoneme symbols (``EspeakPhonemizer``), so `dZ` → `h` costs one.
/// The allowed distance grows with length: `max(1, ⌊(length + 1) / 3⌋)` symbols (1 for `hey`, 2 for `jarvis`).
///
/// ```swift
/// let search = try PhoneticNeighbours(words: WordList.load().words)
/// let confusers = try search.confusers(of: "hey jarvis", limit: 40, seed: 1)
/// ```
public struct PhoneticNeighbours: Sendable {
    /// Candidate words and their phonemes.
    public let candidates: [(word: String, phonemes: [String])]

    /// Phonemizes `words` (one espeak-ng process).
    /// - Throws: ``SynthesisError`` if espeak-ng fails.
    public init(words: [String]) throws {
        let phonemes = try EspeakPhonemizer.phonemes(of: words)
        candidates = zip(words, phonemes).filter { !$0.1.isEmpty }.map { ($0.0, $0.1) }
    }

    /// A search over candidates whose phonemes are already known (tests; caches).
    public init(candidates: [(word: String, phonemes: [String])]) { self.candidates = candidates }

    /// Levenshtein distance between two symbol sequences (insertions, deletions and substitutions cost 1).
    public static func editDistance(_ a: [String], _ b: [String]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The largest distance that still counts as a neighbour of a target of `length` symbols.
    public static func allowedDistance(length: Int) -> Int { max(1, (length + 1) / 3) }

    /// Candidates within the allowed distance of `target` (but not identical), nearest first (ties alphabetical).
    /// - Parameters:
    ///   - target: phoneme symbols.
    ///   - excluding: words never returned (the phrase's own words).
    public func neighbours(of target: [String], excluding: Set<String> = []) -> [(word: String, distance: Int)] {
        let limit = Self.allowedDistance(length: target.count)
        var found: [(word: String, distance: Int)] = []
        for candidate in candidates where !excluding.contains(candidate.word) && abs(candidate.phonemes.count - target.count) <= limit {
            let d = Self.editDistance(candidate.phonemes, target)
            if d > 0 && d <= limit { found.append((candidate.word, d)) }
        }
        return found.sorted { ($0.distance, $0.word) < ($1.distance, $1.word) }
    }

    /// Confusers of a phrase: neighbours of the whole phrase, of each of its words, and (for phrases of several words)
    /// the phrase with one word swapped for one of that word's neighbours. At most `limit`, drawn (seeded) nearest
    /// first and spread over the phrase's words.
    /// - Parameters:
    ///   - phrase: the wake phrase, words separated by spaces.
    ///   - limit: most confusers returned.
    ///   - seed: fixes which are kept when there are more.
    ///   - avoiding: texts never returned (the other phrases of the model).
    /// - Throws: ``SynthesisError`` if espeak-ng fails.
    public func confusers(of phrase: String, limit: Int, seed: UInt64, avoiding: Set<String> = []) throws -> [String] {
        let words = phrase.lowercased().split(separator: " ").map(String.init)
        let phonemes = try EspeakPhonemizer.phonemes(of: [phrase] + (words.count > 1 ? words : []))
        let own = Set(words).union(avoiding.map { $0.lowercased() })
        // Nearest first; among equals, an order fixed by the seed (not the alphabet).
        func ordered(_ found: [(word: String, distance: Int)]) -> [(word: String, distance: Int)] {
            found.sorted { ($0.distance, stableHash($0.word) ^ seed) < ($1.distance, stableHash($1.word) ^ seed) }
        }
        var groups: [[String]] = [ordered(neighbours(of: phonemes[0], excluding: own)).map(\.word)]
        if words.count > 1 {
            for i in words.indices {
                let near = ordered(neighbours(of: phonemes[i + 1], excluding: own))
                groups.append(near.map(\.word))
                groups.append(near.map { swap in words.enumerated().map { $0.offset == i ? swap.word : $0.element }.joined(separator: " ") })
            }
        }
        // Round-robin over the groups, so every word of the phrase gets its share.
        var result: [String] = [], seen = own
        var index = 0
        while result.count < limit && groups.contains(where: { index < $0.count }) {
            for group in groups where index < group.count && result.count < limit {
                if seen.insert(group[index]).inserted { result.append(group[index]) }
            }
            index += 1
        }
        return result
    }
}
