import Foundation
import Streaming
import Testing

@Suite struct ChunkedSeparatorTests {
    static func signal(_ n: Int) -> [Float] {
        (0..<n).map { i -> Float in
            let t = Double(i)
            let value: Double = 0.3 * sin(t * 0.031) + 0.2 * sin(t * 0.17 + 1)
            return Float(value)
        }
    }

    /// A stand-in model whose speaker order flips on every other window: `[x, -x]`, then `[-x, x]`, ...
    final class SwappingModel {
        var calls = 0
        var lengths: [Int] = []
        func separate(_ window: [Float]) -> [[Float]] {
            defer { calls += 1 }
            lengths.append(window.count)
            let a = window, b = window.map { -$0 * 0.5 }
            return calls % 2 == 0 ? [a, b] : [b, a]
        }
    }

    @Test(arguments: [1, 7, 160, 999, 100_000])
    func swapsBetweenWindowsAreUndone(blockSize: Int) throws {
        let plan = try ChunkPlan(window: 1_000, overlap: 250)
        let model = SwappingModel()
        let chunked = ChunkedSeparator(plan: plan, speakers: 2, separate: model.separate)
        let x = Self.signal(5_321)
        var out: [[Float]] = [[], []]
        var start = 0
        while start < x.count {
            let part = chunked.push(Array(x[start..<min(start + blockSize, x.count)]))
            out[0] += part[0]
            out[1] += part[1]
            start += blockSize
        }
        let last = chunked.finish()
        out[0] += last[0]
        out[1] += last[1]
        #expect(model.calls >= 6)
        #expect(model.lengths.allSatisfy { $0 <= plan.window })
        #expect(out[0].count == x.count && out[1].count == x.count)
        let error0 = zip(out[0], x).map { abs($0 - $1) }.max()!
        let error1 = zip(out[1], x).map { abs($0 + $1 * 0.5) }.max()!
        #expect(error0 < 1e-6 && error1 < 1e-6)
    }

    @Test func aWholeSignalInMemoryGivesThePushedOutputAndTheSeparatorTakesAnother() throws {
        let plan = try ChunkPlan(window: 1_000, overlap: 250)
        let x = Self.signal(3_456)
        let pushed = ChunkedSeparator(plan: plan, speakers: 2, separate: SwappingModel().separate)
        var expected: [[Float]] = [[], []]
        for start in stride(from: 0, to: x.count, by: 300) {
            for (c, part) in pushed.push(Array(x[start..<min(start + 300, x.count)])).enumerated() { expected[c] += part }
        }
        for (c, part) in pushed.finish().enumerated() { expected[c] += part }
        let whole = ChunkedSeparator(plan: plan, speakers: 2, separate: SwappingModel().separate)
        #expect(whole.separate(x) == expected)
        // finish() leaves it ready for the next signal: a short one is one pass, the model's own output.
        let short = Array(x.prefix(800))
        #expect(whole.separate(short).map(\.count) == [800, 800])
    }

    @Test func anInputOfOneWindowIsOnePass() throws {
        let plan = try ChunkPlan(window: 1_000, overlap: 250)
        let model = SwappingModel()
        let chunked = ChunkedSeparator(plan: plan, speakers: 2, separate: model.separate)
        let x = Self.signal(1_000)
        let early = chunked.push(x)
        #expect(early[0].isEmpty && early[1].isEmpty)
        let out = chunked.finish()
        #expect(model.calls == 1 && model.lengths == [1_000])
        #expect(out[0] == x)
    }

    @Test func plansAreChecked() {
        let expected = StreamingError.invalidPlan(window: 100, overlap: 60, reason: "the overlap must be positive and at most half the window")
        #expect(throws: expected) { try ChunkPlan(window: 100, overlap: 60) }
        #expect(throws: StreamingError.self) { try ChunkPlan(window: 100, overlap: 0) }
    }
}
