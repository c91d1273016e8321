import AudioDatasets
import AudioIO
import Foundation
import KeywordSpotting
import NN
import TensorCore
import Testing
import TestSupport
@testable import Training

/// The keyword spotter's two recipes as library types: a run stopped and resumed equals the uninterrupted one.
@Suite(.serialized) struct KeywordTrainerTests {
    static let tiny = KWSConfiguration(
        labels: KWSConfiguration.twelveLabels, convChannels: 4, normGroups: 1, layers: 1, heads: 2, feedForwardDimension: 8,
        bottleneckDimension: 8)

    static func fineTuning(data: String, steps: Int) -> KeywordTrainingSettings {
        KeywordTrainingSettings(
            data: data, labels: 12, initialization: nil, labelFraction: 1, batchSize: 4, learningRate: 2e-3, warmupSteps: 1,
            weightDecay: 0.01, labelSmoothing: 0.1, seed: 3,
            schedule: TrainingSchedule(totalSteps: steps, logEvery: 1, validateEvery: 2, checkpointEvery: 2), model: tiny,
            augmentation: AugmentationSettings(), silenceShare: 0.1, unknownShare: 0.1, validationLimit: 3000, contextFolders: nil,
            context: nil, encoderLearningRateScale: nil, devData: nil, words: nil, wakeWord: nil)
    }

    static func pretraining(folders: [String], steps: Int) -> PretrainSettings {
        PretrainSettings(
            unlabeled: folders, noise: [], batchSize: 2, learningRate: 1e-3, warmupSteps: 1, weightDecay: 0.01, seed: 5,
            schedule: TrainingSchedule(totalSteps: steps, logEvery: 1, validateEvery: 2, checkpointEvery: 2), model: tiny,
            losses: .maskedFramesOnly, augmentation: AugmentationSettings(), validationPairs: 4, masking: SpectrogramMasking(),
            units: nil, neighborPairs: nil, neighborsFrom: nil)
    }

    static func weights(_ layer: some Layer) -> [String: [Float]] { layer.stateDict().mapValues(\.scalars) }

    @Test func aStoppedAndResumedFineTuningRunEqualsTheUninterruptedOne() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try makeTinySpeechCommands(in: dir)
        let whole = try KeywordTrainer(settings: Self.fineTuning(data: data, steps: 4), runDirectory: dir.file("whole"), resume: false)
        #expect(try whole.run(stopSignal: StopSignal(signals: [])) == .finished(step: 4))
        #expect(whole.bestDevAccuracy != nil && whole.devCount > 0)
        #expect(FileManager.default.fileExists(atPath: dir.file("whole/model/config.json")))

        let stop = StopSignal(signals: [])
        let first = try KeywordTrainer(settings: Self.fineTuning(data: data, steps: 4), runDirectory: dir.file("split"), resume: false)
        let outcome = try first.run(stopSignal: stop) { if $0.step == 2 { stop.request(SIGTERM) } }
        #expect(outcome == .stopped(step: 2, signal: SIGTERM))
        let resumed = try KeywordTrainer(
            settings: try KeywordTrainer.settings(resuming: dir.file("split")), runDirectory: dir.file("split"), resume: true)
        #expect(resumed.runner.startStep == 2)
        #expect(try resumed.run(stopSignal: StopSignal(signals: [])) == .finished(step: 4))
        #expect(Self.weights(resumed.network) == Self.weights(whole.network))
    }

    /// A batch's windows are made by several threads, each from its own generator: the batch is the same for any
    /// number of them, and the next batch follows from the same state of the caller's generator.
    @Test func aBatchIsTheSameForAnyNumberOfWorkers() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let settings = Self.fineTuning(data: try makeTinySpeechCommands(in: dir), steps: 1)
        let source = try KeywordBatchSource(settings: settings)
        var one = SplitMix64(seed: 9), three = SplitMix64(seed: 9)
        for _ in 0..<2 {
            let a = try source.batch(size: 7, workers: 1, using: &one)
            let b = try source.batch(size: 7, workers: 3, using: &three)
            let same: Bool = a.features.shape == b.features.shape && a.features.scalars == b.features.scalars
            #expect(a.targets == b.targets && same)
            #expect(Set(a.targets).count > 1)
        }
    }

    /// With `--spec-augment`, the masks are drawn from each step's seed: a resumed run equals the uninterrupted one,
    /// the settings record the masks, and the weights differ from the same run without them.
    @Test func specAugmentResumesExactlyAndChangesTraining() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try makeTinySpeechCommands(in: dir)
        var settings = Self.fineTuning(data: data, steps: 4)
        settings.masking = .supervised
        let whole = try KeywordTrainer(settings: settings, runDirectory: dir.file("whole"), resume: false)
        #expect(try whole.run(stopSignal: StopSignal(signals: [])) == .finished(step: 4))
        let plain = try KeywordTrainer(settings: Self.fineTuning(data: data, steps: 4), runDirectory: dir.file("plain"), resume: false)
        #expect(try plain.run(stopSignal: StopSignal(signals: [])) == .finished(step: 4))
        #expect(Self.weights(plain.network) != Self.weights(whole.network))

        let stop = StopSignal(signals: [])
        let first = try KeywordTrainer(settings: settings, runDirectory: dir.file("split"), resume: false)
        #expect(try first.run(stopSignal: stop) { if $0.step == 2 { stop.request(SIGTERM) } } == .stopped(step: 2, signal: SIGTERM))
        let recorded = try KeywordTrainer.settings(resuming: dir.file("split"))
        #expect(recorded.masking == .supervised)
        #expect(try String(contentsOfFile: dir.file("split/settings.json"), encoding: .utf8).contains("\"spec_augment\""))
        let resumed = try KeywordTrainer(settings: recorded, runDirectory: dir.file("split"), resume: true)
        #expect(try resumed.run(stopSignal: StopSignal(signals: [])) == .finished(step: 4))
        #expect(Self.weights(resumed.network) == Self.weights(whole.network))
    }

    /// With `--average-decay`, the average is saved with the checkpoint (a resumed run ends with the uninterrupted
    /// run's average), and the model validated and exported is the average, not the raw weights.
    @Test func aWeightAverageResumesExactlyAndIsWhatTheRunExports() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try makeTinySpeechCommands(in: dir)
        var settings = Self.fineTuning(data: data, steps: 4)
        settings.averageDecay = 0.5
        settings.schedule.validateEvery = 4   // one validation, at the end: the model exported is the last average
        let whole = try KeywordTrainer(settings: settings, runDirectory: dir.file("whole"), resume: false)
        #expect(try whole.run(stopSignal: StopSignal(signals: [])) == .finished(step: 4))
        let average = try #require(whole.runner.average).stateTensors().mapValues(\.scalars)
        let raw = Self.weights(whole.network)
        #expect(average != raw)
        #expect(Self.weights(try KeywordSpotter.loadModel(directory: dir.file("whole/model"))) == average)

        let stop = StopSignal(signals: [])
        let first = try KeywordTrainer(settings: settings, runDirectory: dir.file("split"), resume: false)
        #expect(try first.run(stopSignal: stop) { if $0.step == 2 { stop.request(SIGTERM) } } == .stopped(step: 2, signal: SIGTERM))
        let resumed = try KeywordTrainer(
            settings: try KeywordTrainer.settings(resuming: dir.file("split")), runDirectory: dir.file("split"), resume: true)
        #expect(resumed.settings.averageDecay == 0.5)
        #expect(try resumed.run(stopSignal: StopSignal(signals: [])) == .finished(step: 4))
        #expect(Self.weights(resumed.network) == raw)
        #expect(try #require(resumed.runner.average).stateTensors().mapValues(\.scalars) == average)
    }

    @Test func aStoppedAndResumedPretrainingRunEqualsTheUninterruptedOne() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try makeTinySpeechCommands(in: dir)
        let folders = [data + "/yes", data + "/no"]
        var lines: [String] = []
        let whole = try KeywordPretrainer(settings: Self.pretraining(folders: folders, steps: 4), runDirectory: dir.file("whole"),
                                          resume: false) { lines.append($0) }
        #expect(lines.first == "pretrain: loading \(folders.joined(separator: ", "))")
        #expect(whole.settings.model.inputMean != Self.tiny.inputMean)   // measured on the audio
        #expect(try whole.run(stopSignal: StopSignal(signals: [])) == .finished(step: 4))

        let stop = StopSignal(signals: [])
        let first = try KeywordPretrainer(settings: Self.pretraining(folders: folders, steps: 4), runDirectory: dir.file("split"), resume: false)
        #expect(try first.run(stopSignal: stop) { if $0.step == 2 { stop.request() } } == .stopped(step: 2, signal: SIGINT))
        let resumed = try KeywordPretrainer(
            settings: try KeywordPretrainer.settings(resuming: dir.file("split")), runDirectory: dir.file("split"), resume: true)
        #expect(try resumed.run(stopSignal: StopSignal(signals: [])) == .finished(step: 4))
        #expect(Self.weights(resumed.network) == Self.weights(whole.network))
    }
}
