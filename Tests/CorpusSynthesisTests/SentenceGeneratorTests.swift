@testable import CorpusSynthesis
import TensorCore
import Testing

/// The built-in sentence grammar: lengths, determinism, and words it is told never to say.
@Suite struct SentenceGeneratorTests {
    @Test func avoidedWordsAreNeverSaidAndNothingElseChanges() {
        let keywords: Set<String> = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
        let plain = SentenceGenerator(), avoiding = SentenceGenerator(avoiding: keywords)
        var a = SplitMix64(seed: 4), b = SplitMix64(seed: 4), c = SplitMix64(seed: 4)
        var sawKeyword = false
        for i in 0..<500 {
            let sentence = plain.sentence(clauses: 1 + i % 3, using: &a)
            let words = sentence.split(separator: " ").map(String.init)
            #expect((4...40).contains(words.count), "\(sentence)")
            if words.contains(where: keywords.contains) { sawKeyword = true }
            let clean = avoiding.sentence(clauses: 1 + i % 3, using: &b)
            #expect(!clean.split(separator: " ").contains { keywords.contains(String($0)) }, "\(clean)")
            // Avoiding a word the grammar never says changes nothing.
            #expect(SentenceGenerator(avoiding: ["zebra"]).sentence(clauses: 1 + i % 3, using: &c) == sentence)
        }
        #expect(sawKeyword)   // the everyday grammar does say "no" and "on"
        #expect(avoiding.determiners.count == SentenceGenerator.determiners.count - 1 && !avoiding.openers.contains("on sunday"))
    }
}
