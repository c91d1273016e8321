import AudioIO
import Foundation
import KeywordSpotting
import Streaming
import TensorCore
import Testing
import TestSupport

@Suite struct StreamingKeywordSpotterTests {
    /// 4.1 s of real speech (the 1.5 s fixture, a pause, the fixture again at half level, tail noise).
    static func speech() throws -> [Float] {
        let clip = try MonoReader(path: try Fixtures.path("dsp/speech.wav"), sampleRate: 16_000).readAll()
        var rng = SplitMix64(seed: 7)
        let noise = (0..<17_600).map { _ in 0.003 * rng.nextNormal() }
        return clip + [Float](repeating: 0, count: 8_000) + clip.map { $0 * 0.5 } + noise
    }

    /// A small model with seeded random weights.
    static func spotter() throws -> KeywordSpotter {
        let config = KWSConfiguration(
            labels: ["yes", "no", "_unknown_", "_silence_"], convChannels: 4, normGroups: 2, layers: 1, heads: 2,
            feedForwardDimension: 16, bottleneckDimension: 12)
        return try KeywordSpotter(model: KeywordClassifier(configuration: config, seed: 3))
    }

    static func pushed(_ x: [Float], blockSize: Int, into push: ([Float]) -> Void) {
        var start = 0
        while start < x.count {
            push(Array(x[start..<min(start + blockSize, x.count)]))
            start += blockSize
        }
    }

    @Test(arguments: [1, 333, 1_280, 65_536])
    func streamedFeaturesEqualEachWindowsOfflineFeatures(blockSize: Int) throws {
        let settings = KWSFrontEnd()
        let x = blockSize == 1 ? Array(try Self.speech().prefix(19_000)) : try Self.speech()
        let hop = 1_280
        let features = try KeywordWindowFeatures(settings: settings, hop: hop)
        let offline = try LogMelFrontEnd(settings)
        var windows: [Int] = []
        var worst: Float = 0
        Self.pushed(x, blockSize: blockSize) { block in
            features.push(block) { index, rows in
                windows.append(index)
                let expected = offline.features(Array(x[(index * hop)..<(index * hop + settings.clipSamples)]))
                #expect(rows.count == expected.count)
                for i in expected.indices { worst = max(worst, abs(rows[i] - expected[i])) }
            }
        }
        #expect(windows == Array(0...((x.count - settings.clipSamples) / hop)))
        #expect(worst <= 1e-5, "largest difference from the offline features: \(worst)")
    }

    @Test func hopsOffTheFrameGridAreRejected() {
        #expect(throws: KeywordSpottingError.self) { try KeywordWindowFeatures(settings: KWSFrontEnd(), hop: 1_000) }
        #expect(throws: KeywordSpottingError.self) { try KeywordWindowFeatures(settings: KWSFrontEnd(), hop: 0) }
    }

    @Test(arguments: [1, 3, 32])
    func streamedScoresEqualTheOfflineModelOnTheSameWindows(batchLimit: Int) throws {
        let spotter = try Self.spotter()
        let x = try Self.speech()
        let streaming = try StreamingKeywordSpotter(spotter: spotter, hop: 1_280, batchLimit: batchLimit)
        var scores: [KeywordHopScores] = []
        Self.pushed(x, blockSize: 4_000) { scores += streaming.push($0) }
        #expect(scores.count == (x.count - 16_000) / 1_280 + 1)
        let clips = scores.map { Array(x[($0.endSample - 16_000)..<$0.endSample]) }
        let offline = spotter.probabilities(clips)
        for (s, p) in zip(scores, offline) {
            #expect(s.endSample == s.window * 1_280 + 16_000)
            #expect(zip(s.probabilities, p).allSatisfy { abs($0 - $1) <= 1e-5 }, "window \(s.window): \(s.probabilities) vs \(p)")
        }
        // Not a constant model: the windows' scores differ.
        #expect(Set(scores.map { $0.probabilities[0] }).count > 5)
    }

    @Test func separatingWithAnIdentityModelLeavesTheMainTalkersScoresUnchanged() throws {
        let spotter = try Self.spotter()
        let x = try Self.speech()
        // Thresholds just above what silence scores, so the silent talker cannot fire.
        let silence = spotter.probabilities([[Float](repeating: 0, count: 16_000)])[0]
        let settings = try DetectionSettings(
            keywords: [0, 1], thresholds: [silence[0] + 0.01, silence[1] + 0.01], smoothingHops: 2, triggerCount: 1, refractoryHops: 3)
        var plain: [KeywordHopScores] = [], separated: [[KeywordHopScores]] = []
        let detector = try KeywordDetector(spotter: spotter, hop: 1_280, settings: settings)
        detector.onHop = { plain.append($0[0]) }
        // A "separator" at the spotter's rate that puts the whole mixture in talker 1 and silence in talker 2.
        let separation = TalkerSeparation(
            sampleRate: 16_000, speakers: 2, plan: try ChunkPlan(window: 24_000, overlap: 4_000)) { [$0, [Float](repeating: 0, count: $0.count)] }
        let both = try KeywordDetector(spotter: spotter, hop: 1_280, settings: settings, separation: separation)
        both.onHop = { separated.append($0) }
        var plainEvents: [KeywordEvent] = [], separatedEvents: [KeywordEvent] = []
        Self.pushed(x, blockSize: 3_000) { block in
            plainEvents += try! detector.push(block)
            separatedEvents += try! both.push(block)
        }
        plainEvents += try detector.finish()
        separatedEvents += try both.finish()
        #expect(separated.count == plain.count)
        for (a, b) in zip(plain, separated) {
            #expect(a.endSample == b[0].endSample)
            #expect(zip(a.probabilities, b[0].probabilities).allSatisfy { abs($0 - $1) <= 1e-4 })
        }
        // The silent talker never fires; the main talker fires exactly as the unseparated stream.
        #expect(!plainEvents.isEmpty)
        #expect(separatedEvents.map(\.endSample) == plainEvents.map(\.endSample))
        #expect(separatedEvents.allSatisfy { $0.talker == 0 })
    }
}
