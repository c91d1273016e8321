import KeywordSpotting
import Testing
@testable import Training

/// `bench kws`'s workloads run on a tiny model and report positive times.
@Suite struct KeywordTrainingBenchmarkTests {
    @Test func everyWorkloadRunsAndIsTimed() throws {
        let bench = try KeywordTrainingBenchmark(
            configuration: KeywordTrainerTests.tiny, classifier: KeywordClassifier(configuration: KeywordTrainerTests.tiny, seed: 1),
            batchSize: 4)
        #expect(try bench.fineTuning(steps: 1) > 0)
        #expect(try bench.pretraining(steps: 1) > 0)
        let (perWindow, batchRate) = try bench.classification()
        #expect(perWindow > 0 && batchRate > 0)
    }
}
