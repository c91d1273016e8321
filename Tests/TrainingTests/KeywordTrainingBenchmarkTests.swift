import KeywordSpotting
import Separation
import TestSupport
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

/// `bench train-sep`'s workloads on a tiny separator.
@Suite struct SeparationTrainingBenchmarkTests {
    @Test func stepsAndAugmentationAreTimed() throws {
        var configuration = MossFormer2Configuration.tiny
        configuration.numSpks = 2
        let times = try SeparationTrainingBenchmark.steps(configuration: configuration, batchSize: 1, cropSeconds: 0.1, runs: 2)
        #expect(times.total.count == 2 && times.losses.count == 3 && times.parameters > 0)
        #expect(zip(times.total, zip(times.forward, times.backward)).allSatisfy { $0 >= $1.0 + $1.1 })
        let augmentation = try SeparationTrainingBenchmark.augmentation(sampleRate: 8_000, speakers: 2, samples: 800, batchSize: 1, batches: 1)
        #expect(augmentation.map(\.0) == ["defaults", "every part but noise on", "noise alone"] && augmentation.allSatisfy { $0.1.count == 1 })
    }
}
