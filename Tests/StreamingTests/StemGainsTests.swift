import Foundation
import Streaming
import Testing

/// The least-squares gains that scale separated stems back to the mixture.
@Suite struct StemGainsTests {
    static func signal(_ n: Int, _ w: Double) -> [Float] { (0..<n).map { Float(sin(Double($0) * w)) } }

    @Test func recoversTheGainsThatRebuildTheMixtureBlockByBlock() {
        let s1 = Self.signal(4_000, 0.03), s2 = Self.signal(4_000, 0.21)
        let mixture = zip(s1, s2).map { 0.5 * $0 + 2 * $1 }
        var gains = StemGains(stems: 2)
        for start in stride(from: 0, to: 4_000, by: 1_000) {
            gains.add(stems: [Array(s1[start..<start + 1_000]), Array(s2[start..<start + 1_000])], mixture: mixture[start..<start + 1_000])
        }
        let g = gains.solve()
        #expect(abs(g[0] - 0.5) < 1e-6 && abs(g[1] - 2) < 1e-6, "\(g)")
        #expect(gains.count == 4_000)
    }

    @Test func aGhostStemStaysQuietAndNoStemIsInverted() {
        // One talker: the second stem is a faint, unrelated ghost; it gets a small gain, not the talker's loudness.
        let talker = Self.signal(8_000, 0.05), ghost = Self.signal(8_000, 0.7).map { $0 * 0.3 }
        var gains = StemGains(stems: 2)
        gains.add(stems: [talker.map { $0 * 0.2 }, ghost], mixture: talker[...])
        let g = gains.solve()
        #expect(abs(g[0] - 5) < 1e-3 && abs(g[1]) < 1e-3, "\(g)")
        // A stem anti-correlated with the mixture is not negated to cancel it: its gain is zero.
        var negative = StemGains(stems: 2)
        negative.add(stems: [talker, talker.map { -$0 * 0.5 + 0.01 }], mixture: talker.map { $0 * 0.5 }[...])
        let h = negative.solve()
        #expect(h.allSatisfy { $0 >= 0 } && abs(h[0] - 0.5) < 0.01, "\(h)")
        // Silent stems are solvable (gain 0).
        var silent = StemGains(stems: 2)
        silent.add(stems: [talker, [Float](repeating: 0, count: 8_000)], mixture: talker[...])
        let k = silent.solve()
        #expect(abs(k[0] - 1) < 1e-6 && k[1] == 0)
    }
}
