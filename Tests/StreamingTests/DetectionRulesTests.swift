import KeywordSpotting
import Streaming
import Testing

/// The detection rules resolved from their command-line spellings: keywords, thresholds and their precedence.
@Suite struct DetectionRulesTests {
    static func spotter() throws -> KeywordSpotter {
        let configuration = KWSConfiguration(
            labels: KWSConfiguration.twelveLabels, convChannels: 4, normGroups: 1, layers: 1, heads: 2, feedForwardDimension: 8,
            bottleneckDimension: 8)
        return try KeywordSpotter(model: KeywordClassifier(configuration: configuration, seed: 1))
    }

    @Test func keywordsAndThresholdsResolveWithGivenOverAllOverStoredOverDefault() throws {
        let spotter = try Self.spotter()
        let all = try DetectionSettings.resolve(for: spotter, keywords: nil, thresholds: nil, hopMs: 80, smoothingMs: 240,
                                                triggerCount: 2, refractoryMs: 500)
        #expect(all.keywords == Array(0..<10) && all.thresholds.allSatisfy { $0 == DetectionSettings.defaultThreshold })
        #expect(all.smoothingHops == 3 && all.triggerCount == 2)
        let some = try DetectionSettings.resolve(for: spotter, keywords: "yes, stop", thresholds: "0.9,stop=0.5", hopMs: 80,
                                                 smoothingMs: 240, triggerCount: 1, refractoryMs: 500)
        #expect(some.keywords == [0, 8] && some.thresholds == [0.9, 0.5])
    }

    @Test func unknownKeywordsAndMalformedThresholdsNameTheOption() throws {
        let spotter = try Self.spotter()
        #expect(throws: StreamingError.invalidRule(message: "--keywords: 'jarvis' is not a label of the model (labels: \(KWSConfiguration.twelveLabels.joined(separator: ", ")))")) {
            try DetectionSettings.resolve(for: spotter, keywords: "jarvis", thresholds: nil, hopMs: 80, smoothingMs: 240, triggerCount: 2, refractoryMs: 500)
        }
        #expect(throws: StreamingError.invalidRule(message: "--threshold 'yes=2': expected a probability in [0, 1], or KEYWORD=probability")) {
            try DetectionSettings.resolve(for: spotter, keywords: nil, thresholds: "yes=2", hopMs: 80, smoothingMs: 240, triggerCount: 2, refractoryMs: 500)
        }
        #expect(throws: StreamingError.invalidRule(message: "--threshold 'go=0.5': 'go' is not a watched keyword (yes)")) {
            try DetectionSettings.resolve(for: spotter, keywords: "yes", thresholds: "go=0.5", hopMs: 80, smoothingMs: 240, triggerCount: 2, refractoryMs: 500)
        }
    }
}
