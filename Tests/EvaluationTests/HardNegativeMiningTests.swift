import AudioIO
import Evaluation
import Foundation
import Streaming
import TestSupport
import Testing

/// Hard-negative mining: which hops are peaks, which are the labels' own, and the audio cut out at each.
@Suite struct HardNegativeMiningTests {
    /// 100 hops of 0.1 s (1,000 samples at 10 kHz); "yes" (class 0) and "no" (class 1) probabilities set per hop.
    static func recorded(_ scores: [Int: (Float, Float)]) -> RecordedKeywordStream {
        let hops = (0..<100).map { h -> [KeywordHopScores] in
            let (yes, no) = scores[h] ?? (0.01, 0.01)
            return [KeywordHopScores(window: h, endSample: (h + 1) * 1_000, probabilities: [yes, no, 1 - yes - no])]
        }
        return RecordedKeywordStream(hops: hops, labels: ["yes", "no", "_unknown_"], sampleRate: 10_000, durationSeconds: 10)
    }

    /// Hop h ends at (h + 1) / 10 s. A peak inside a label's margin is the label's; peaks are taken by score, 0.5 s
    /// apart, above the threshold, and come with their neighbours.
    @Test func peaksAwayFromLabelsAreMinedHighestFirst() {
        let recorded = Self.recorded([
            9: (0.9, 0),     // ends 1.0 s: inside the margin of the label at 1.2-1.4 s (0.5 s before its start)
            29: (0.7, 0),    // ends 3.0 s: 1.6 s after that label's end, a candidate
            31: (0.8, 0),    // ends 3.2 s: higher, 0.2 s from hop 29, so hop 29 is not a second peak
            59: (0, 0.95),   // ends 6.0 s: "no", the highest
            79: (0.4, 0),    // ends 8.0 s: below the threshold
        ])
        let labels = [KeywordInterval(keyword: "yes", startSeconds: 1.2, endSeconds: 1.4)]
        let mining = HardNegativeMining(threshold: 0.5, smoothingHops: 1)
        let windows = mining.windows(in: recorded, keywords: [0, 1], labels: labels)
        #expect(windows.map(\.endSample) == [60_000, 59_000, 61_000, 32_000, 31_000, 33_000])
        #expect(windows.map(\.keyword) == ["no", "no", "no", "yes", "yes", "yes"])
        #expect(windows.map(\.score) == [0.95, 0.95, 0.95, 0.8, 0.8, 0.8])
        #expect(windows.map(\.peakSeconds) == [6.0, 6.0, 6.0, 3.2, 3.2, 3.2])

        // At most one peak; no neighbours.
        let one = HardNegativeMining(threshold: 0.5, maximumPeaks: 1, neighbourHops: 0, smoothingHops: 1)
        #expect(one.windows(in: recorded, keywords: [0, 1], labels: labels).map(\.endSample) == [60_000])
        // Watching "yes" only, "no" never peaks.
        #expect(mining.windows(in: recorded, keywords: [0], labels: labels).map(\.endSample) == [32_000, 31_000, 33_000])
        // Smoothing over 2 hops halves a one-hop score: 0.95 / 2 and 0.8 / 2 are below 0.5, so nothing is mined.
        #expect(HardNegativeMining(threshold: 0.5, smoothingHops: 2).windows(in: recorded, keywords: [0, 1], labels: labels).isEmpty)
    }

    /// Each window is exactly the stream's samples before its end (a ramp makes every sample distinct), the first
    /// padded with zeros in front, the last (past the stream's end) padded behind.
    @Test func windowsAreCutExactlyFromTheStream() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let count = 5_000
        let ramp = (0..<count).map { Float($0 % 1_000) / 2_000 }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: ramp), to: dir.file("stream.wav"), format: .wavFloat)
        let windows = [4_000, 300, 5_200, 2_500].map { HardNegativeMining.Window(endSample: $0, score: 0.9, keyword: "yes", peakSeconds: 0) }
        let paths = try HardNegativeMining.write(windows, audio: dir.file("stream.wav"), clipSamples: 1_000, sampleRate: 8_000, to: dir.file("mined"))
        #expect(paths.map { ($0 as NSString).lastPathComponent } == (0..<4).map { "hard_nohash_\($0).wav" })
        func read(_ i: Int) throws -> [Float] { try AudioFileReader.read(path: paths[i]).channels[0] }
        // 16-bit files: compare at their resolution.
        func close(_ a: [Float], _ b: [Float]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-4 } }
        #expect(close(try read(0), Array(ramp[3_000..<4_000])))
        #expect(close(try read(1), [Float](repeating: 0, count: 700) + ramp[0..<300]))
        #expect(close(try read(2), Array(ramp[4_200..<5_000]) + [Float](repeating: 0, count: 200)))
        #expect(close(try read(3), Array(ramp[1_500..<2_500])))
    }
}
