import AudioDatasets
import CorpusSynthesis
import Foundation
import Separation
import TensorCore
import Testing
import TestSupport
import Training

/// Separator training: loss goes down, and a run stopped half-way and resumed ends bit-identical to an
/// uninterrupted one (weights and optimizer state), also when the resume lengthens a run planned shorter.
@Suite(.serialized) struct SeparationTrainerTests {
    /// A tiny LibriMix-layout corpus made by the synthesizer (8 kHz).
    static func corpus(_ dir: TemporaryDirectory) throws -> String {
        let out = dir.file("mix")
        let builder = try MixtureCorpusBuilder(
            sampleRate: 8_000, counts: [.train: 6, .dev: 2, .test: 1], outputDirectory: out, seed: 11,
            generator: { SplitMix64(seed: $0) })
        _ = try builder.build()
        return out
    }

    static func settings(data: String, steps: Int) -> SeparationTrainingSettings {
        return SeparationTrainingSettings(
            model: .tiny, data: [data], cropSeconds: 0.25, batchSize: 2, totalSteps: steps, learningRate: 1e-3,
            validationCount: 2, validationSeconds: 0.5, seed: 5)
    }

    @Test func resumedRunEqualsUninterruptedRun() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try Self.corpus(dir)
        // Straight: 4 steps.
        let straightDir = dir.file("straight")
        try FileManager.default.createDirectory(atPath: straightDir, withIntermediateDirectories: true)
        let straight = try SeparationTrainer(settings: Self.settings(data: data, steps: 4), runDirectory: straightDir, resume: false)
        var losses: [Double] = []
        for i in 0..<4 {
            let metrics = try straight.trainStep(i)
            losses.append(metrics["loss"]!)
            // The loss is the batch's mean negative SI-SNR in dB, as the reference scales it (no second averaging).
            #expect(abs(metrics["loss"]! + metrics["si_snr"]!) < 1e-3 * max(1, abs(metrics["loss"]!)), "step \(i): \(metrics)")
        }
        // Interrupted: a run planned for 2 steps, checkpointed, then a new process-like trainer lengthens it to 4.
        let splitDir = dir.file("split")
        try FileManager.default.createDirectory(atPath: splitDir, withIntermediateDirectories: true)
        let first = try SeparationTrainer(settings: Self.settings(data: data, steps: 2), runDirectory: splitDir, resume: false)
        for i in 0..<2 { _ = try first.trainStep(i) }
        try first.saveCheckpoint(2)
        #expect(throws: TrainingError.self) {
            try SeparationTrainer(settings: Self.settings(data: data, steps: 4), runDirectory: splitDir, resume: true, totalSteps: 2)
        }
        let second = try SeparationTrainer(settings: Self.settings(data: data, steps: 9), runDirectory: splitDir, resume: true,
                                           totalSteps: 4)
        #expect(second.step == 2 && second.settings.totalSteps == 4)
        for i in 2..<4 { _ = try second.trainStep(i) }
        let a = straight.model.stateDict(), b = second.model.stateDict()
        #expect(a.keys.sorted() == b.keys.sorted())
        for key in a.keys { #expect(a[key]!.scalars == b[key]!.scalars, "\(key) differs after resume") }
        let sa = straight.optimizer.stateTensors(), sb = second.optimizer.stateTensors()
        for key in sa.keys { #expect(sa[key]!.scalars == sb[key]!.scalars, "optimizer \(key) differs after resume") }
        #expect(losses.filter { !$0.isFinite }.isEmpty)
        #expect(second.bestValidationSISNRi == nil)
        let validation = try second.validate()
        #expect(validation["val_si_snri"]!.isFinite)
        // The best validation survives a checkpoint, so a resumed run does not replace RUN/model with a worse one.
        #expect(second.bestValidationSISNRi == Double(Float(validation["val_si_snri"]!)))
        try second.saveCheckpoint(4)
        let third = try SeparationTrainer(settings: Self.settings(data: data, steps: 4), runDirectory: splitDir, resume: true)
        #expect(third.bestValidationSISNRi == second.bestValidationSISNRi && third.settings.totalSteps == 4)
        // Resuming on another dev set (1 whole mixture) restarts the plateau rule, and the checkpoint keeps the new set.
        let fourth = try SeparationTrainer(settings: Self.settings(data: data, steps: 4), runDirectory: splitDir, resume: true,
                                           validationCount: 1, validationSeconds: 0)
        #expect(fourth.bestValidationSISNRi == nil && fourth.settings.validationCount == 1 && fourth.settings.validationSeconds == 0)
        #expect(try fourth.validate()["val_si_snri"]!.isFinite)
        try fourth.saveCheckpoint(4)
        let fifth = try SeparationTrainer(settings: Self.settings(data: data, steps: 4), runDirectory: splitDir, resume: true)
        #expect(fifth.settings.validationCount == 1 && fifth.bestValidationSISNRi == fourth.bestValidationSISNRi)
        // A fresh run takes the dev-set options over its settings' defaults.
        let freshDir = dir.file("fresh")
        try FileManager.default.createDirectory(atPath: freshDir, withIntermediateDirectories: true)
        let fresh = try SeparationTrainer(settings: Self.settings(data: data, steps: 4), runDirectory: freshDir, resume: false,
                                          validationSeconds: 0)
        #expect(fresh.settings.validationSeconds == 0 && fresh.settings.validationCount == Self.settings(data: data, steps: 4).validationCount)
    }

    /// A weight average changes what is validated and exported, never the optimizer's steps; it survives a resume
    /// exactly, and a run from before it can turn it on at a resume.
    @Test func weightAverageLeavesTheStepsAloneAndResumesExactly() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try Self.corpus(dir)
        func run(_ name: String, decay: Float?, steps: Int) throws -> SeparationTrainer {
            var settings = Self.settings(data: data, steps: 4)
            settings.averageDecay = decay
            try FileManager.default.createDirectory(atPath: dir.file(name), withIntermediateDirectories: true)
            let trainer = try SeparationTrainer(settings: settings, runDirectory: dir.file(name), resume: false)
            for i in 0..<steps { _ = try trainer.trainStep(i) }
            return trainer
        }
        let plain = try run("plain", decay: nil, steps: 4), averaged = try run("averaged", decay: 0.5, steps: 4)
        let raw = plain.model.stateDict()
        for (key, t) in averaged.model.stateDict() { #expect(t.scalars == raw[key]!.scalars, "\(key): the average moved the weights") }
        // The validated weights are the average, the log also gets the raw weights' score, equal to the plain run's.
        let metrics = try averaged.validate()
        #expect(metrics["val_si_snri"]! != metrics["val_si_snri_raw"]!)
        #expect(metrics["val_si_snri_raw"]! == (try plain.validate())["val_si_snri"]!)
        let weight = averaged.model.namedParameters()[0]
        let validated = averaged.withValidatedWeights { weight.tensor.scalars }
        #expect(validated != weight.tensor.scalars && validated == averaged.average!.stateTensors()[weight.name]!.scalars)
        // Two steps, a checkpoint, a new trainer, two more: the same average as four straight.
        let half = try run("half", decay: 0.5, steps: 2)
        try half.saveCheckpoint(2)
        let resumed = try SeparationTrainer(settings: Self.settings(data: data, steps: 4), runDirectory: dir.file("half"), resume: true)
        #expect(resumed.settings.averageDecay == 0.5)
        for i in 2..<4 { _ = try resumed.trainStep(i) }
        let expected = averaged.average!.stateTensors()
        for (key, t) in resumed.average!.stateTensors() { #expect(t.scalars == expected[key]!.scalars, "average \(key) differs after resume") }
        // A run without an average turns it on at a resume: it starts at the current weights.
        try plain.saveCheckpoint(4)
        let turnedOn = try SeparationTrainer(settings: Self.settings(data: data, steps: 8), runDirectory: dir.file("plain"), resume: true,
                                             totalSteps: 8, averageDecay: 0.9)
        #expect(turnedOn.settings.averageDecay == 0.9 && turnedOn.bestValidationSISNRi == nil)
        // A resume may also lengthen the crops and change the batch; the checkpoint keeps them.
        let longer = try SeparationTrainer(settings: Self.settings(data: data, steps: 8), runDirectory: dir.file("plain"), resume: true,
                                           batch: (1, 0.5))
        #expect(longer.settings.batchSize == 1 && longer.settings.cropSeconds == 0.5 && longer.settings.averageDecay == nil)
        #expect(try longer.trainStep(4)["loss"]!.isFinite)
        try longer.saveCheckpoint(5)
        let kept = try SeparationTrainer(settings: Self.settings(data: data, steps: 8), runDirectory: dir.file("plain"), resume: true)
        #expect(kept.settings.batchSize == 1 && kept.settings.cropSeconds == 0.5 && kept.step == 5)
        // A resume may set the learning rate by hand: the optimizer takes it, the checkpoint keeps it, the plateau
        // rule counts afresh from it.
        #expect(kept.optimizer.learningRate == 1e-3)
        let halved = try SeparationTrainer(settings: Self.settings(data: data, steps: 8), runDirectory: dir.file("plain"), resume: true,
                                           learningRate: 5e-4)
        #expect(halved.optimizer.learningRate == 5e-4 && halved.plateau.learningRate == 5e-4 && halved.plateau.badEvaluations == 0)
        #expect(halved.plateau.best == kept.plateau.best)
        try halved.saveCheckpoint(5)
        let after = try SeparationTrainer(settings: Self.settings(data: data, steps: 8), runDirectory: dir.file("plain"), resume: true)
        #expect(after.optimizer.learningRate == 5e-4)
        #expect(throws: TrainingError.self) {
            try SeparationTrainer(settings: Self.settings(data: data, steps: 8), runDirectory: dir.file("plain"), resume: true, learningRate: 0)
        }
        for (key, t) in turnedOn.average!.stateTensors() { #expect(t.scalars == raw[key]!.scalars) }
        #expect(throws: TrainingError.self) {
            try SeparationTrainer(settings: Self.settings(data: data, steps: 8), runDirectory: dir.file("plain"), resume: true, averageDecay: 1)
        }
    }

    /// A resume may replace the corpora (a pool of new voices joins a long run, or a corpus rebuilt at another path
    /// takes over): the checkpoint keeps the new list; the best score stands while the dev corpus (the first) stays,
    /// and restarts with it when it changes.
    @Test func resumeReplacesTheCorpora() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try Self.corpus(dir)
        let more = dir.file("more")
        _ = try MixtureCorpusBuilder(sampleRate: 8_000, counts: [.train: 4, .dev: 2, .test: 0], outputDirectory: more, seed: 12,
                                     generator: { SplitMix64(seed: $0) }).build()
        let run = dir.file("run")
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        let first = try SeparationTrainer(settings: Self.settings(data: data, steps: 2), runDirectory: run, resume: false)
        for i in 0..<2 { _ = try first.trainStep(i) }
        let score = try first.validate()["val_si_snri"]!
        try first.saveCheckpoint(2)
        let unused = Self.settings(data: dir.file("nowhere"), steps: 2)
        // Another pool joins; the dev corpus stays, so does the best score; the new pool feeds the batches.
        let joined = try SeparationTrainer(settings: unused, runDirectory: run, resume: true, data: [data, more], totalSteps: 4)
        #expect(joined.settings.data == [data, more] && joined.step == 2)
        #expect(joined.bestValidationSISNRi == Double(Float(score)))
        #expect(try joined.trainStep(2)["loss"]!.isFinite)
        try joined.saveCheckpoint(3)
        let kept = try SeparationTrainer(settings: unused, runDirectory: run, resume: true)
        #expect(kept.settings.data == [data, more] && kept.step == 3)
        // A new dev corpus first: scores on it do not compare with the old ones, so the record restarts.
        let moved = try SeparationTrainer(settings: unused, runDirectory: run, resume: true, data: [more, data])
        #expect(moved.settings.data == [more, data] && moved.bestValidationSISNRi == nil)
        #expect(try moved.validate()["val_si_snri"]!.isFinite)
        // A corpus that is not there is named.
        #expect(throws: (any Error).self) {
            try SeparationTrainer(settings: unused, runDirectory: run, resume: true, data: [data, dir.file("missing")])
        }
        #expect(throws: TrainingError.self) { try SeparationTrainer(settings: unused, runDirectory: run, resume: true, data: []) }
    }

    /// A checkpoint alone gives the weights the run validates: the average's parameters with the raw buffers, in
    /// inference mode, separating as the trainer's validated weights do; a run without an average gives its raw weights.
    @Test func checkpointExportsTheValidatedWeights() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try Self.corpus(dir)
        for decay in [Float(0.5), nil] {
            var settings = Self.settings(data: data, steps: 3)
            settings.averageDecay = decay
            let run = dir.file(decay == nil ? "raw" : "averaged")
            try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
            let trainer = try SeparationTrainer(settings: settings, runDirectory: run, resume: false)
            for i in 0..<3 { _ = try trainer.trainStep(i) }
            try trainer.saveCheckpoint(3)
            let (exported, step) = try SeparationTrainer.validatedModel(runDirectory: run)
            #expect(step == 3 && !exported.isTraining)
            let expected = trainer.withValidatedWeights { trainer.model.stateDict().mapValues(\.scalars) }
            let got = exported.stateDict()
            #expect(Set(got.keys) == Set(expected.keys))
            for (key, values) in expected { #expect(got[key]!.scalars == values, "\(key) is not the validated weight") }
            if decay != nil {
                let first = trainer.model.namedParameters()[0]
                #expect(got[first.name]!.scalars != first.tensor.scalars, "the raw weights were exported, not the average")
            }
            let mixture = (0..<800).map { Float(sin(Double($0) * 0.05) + 0.3 * sin(Double($0) * 0.31)) }
            trainer.model.setTraining(false)
            let reference = trainer.withValidatedWeights { trainer.model.separate(mixture) }
            #expect(exported.separate(mixture) == reference)
        }
        #expect(throws: TrainingError.self) { try SeparationTrainer.validatedModel(runDirectory: dir.file("nowhere")) }
        #expect(throws: TrainingError.self) { try SeparationTrainer.validatedModel(runDirectory: data) }
    }

    @Test func initializationStartsFromAModelsWeights() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try Self.corpus(dir)
        // A trained-looking source: another seed's weights, written as a model directory at 16 kHz.
        var source = Self.settings(data: data, steps: 1)
        source.model.sampleRate = 16_000
        let sourceModel = try MossFormer2Separator(configuration: source.model, seed: 99)
        let modelDir = dir.file("model16k")
        try sourceModel.write(directory: modelDir)
        // The 8 kHz run starts from those weights (the sample rate is not in them), not from its seed's.
        var settings = Self.settings(data: data, steps: 2)
        settings.initialization = modelDir
        let runDir = dir.file("init")
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let trainer = try SeparationTrainer(settings: settings, runDirectory: runDir, resume: false)
        let expected = sourceModel.stateDict(), actual = trainer.model.stateDict()
        #expect(expected.keys.sorted() == actual.keys.sorted())
        for key in expected.keys { #expect(expected[key]!.scalars == actual[key]!.scalars, "\(key) not taken from --init") }
        #expect(try trainer.trainStep(0)["loss"]!.isFinite)
        // Resuming takes the checkpoint's weights, not the init directory's (which may be gone).
        try trainer.saveCheckpoint(1)
        try FileManager.default.removeItem(atPath: modelDir)
        let resumed = try SeparationTrainer(settings: settings, runDirectory: runDir, resume: true)
        #expect(resumed.settings.initialization == modelDir && resumed.step == 1)
        // Other sizes do not load: the error names the weights file.
        var wider = Self.settings(data: data, steps: 1)
        wider.model.fsmnInnerChannels = 12
        let widerDir = dir.file("wider")
        try MossFormer2Separator(configuration: wider.model).write(directory: widerDir)
        settings.initialization = widerDir
        let otherRun = dir.file("mismatch")
        try FileManager.default.createDirectory(atPath: otherRun, withIntermediateDirectories: true)
        do {
            _ = try SeparationTrainer(settings: settings, runDirectory: otherRun, resume: false)
            Issue.record("mis-sized --init weights loaded")
        } catch let error as SeparationError {
            #expect("\(error)".contains(widerDir + "/model.safetensors") && "\(error)".contains("Shape mismatch"))
        }
    }

    @Test func initializationGrowsAShallowerModelInDepth() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try Self.corpus(dir)
        // A one-block model's weights start a three-block run: blocks 2 and 3 begin as identities.
        let shallow = try MossFormer2Separator(configuration: .tiny, seed: 99)
        let shallowDir = dir.file("shallow")
        try shallow.write(directory: shallowDir)
        var settings = Self.settings(data: data, steps: 2)
        settings.model.numMossformerLayer = 3
        settings.initialization = shallowDir
        let runDir = dir.file("grown")
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let trainer = try SeparationTrainer(settings: settings, runDirectory: runDir, resume: false)
        #expect(trainer.initializedBlocks == 1)
        let held = shallow.stateDict(), grown = trainer.model.stateDict()
        for (key, tensor) in held { #expect(grown[key]!.scalars == tensor.scalars, "\(key) not taken from --init") }
        let zeroed = ["layers.1.to_out.mdl.1.weight", "layers.2.to_out.mdl.1.bias", "fsmn.1.conv2.weight", "fsmn.2.conv2.bias"]
            .map { "mask_net.mdl.intra_mdl.mossformerM." + $0 }
        for key in zeroed { #expect(grown[key]!.scalars.allSatisfy { $0 == 0 }, "\(key) is not zeroed") }
        // The grown model computes what the shallow one computes, on the fused inference path and with autograd.
        let mixture = (0..<900).map { Float(sin(Double($0) * 0.07) + 0.4 * sin(Double($0) * 0.23)) }
        trainer.model.setTraining(false)
        let expected = shallow.separate(mixture), actual = trainer.model.separate(mixture)
        for (e, a) in zip(expected, actual) { #expect(zip(e, a).allSatisfy { abs($0 - $1) <= 1e-6 }) }
        let batch = Tensor(mixture, shape: [1, mixture.count])
        let shallowOut = shallow(batch), grownOut = trainer.model(batch)
        #expect(zip(shallowOut.scalars, grownOut.scalars).allSatisfy { abs($0 - $1) <= 1e-6 })
        trainer.model.setTraining(true)
        // One step moves the zeroed outputs: the new blocks learn.
        #expect(try trainer.trainStep(0)["loss"]!.isFinite)
        let stepped = trainer.model.stateDict()
        for key in zeroed { #expect(stepped[key]!.scalars.contains { $0 != 0 }, "\(key) did not move") }
        // A deeper model's weights do not shrink into a shallower one: the error says so and names the file.
        let deepDir = dir.file("deep")
        try trainer.model.write(directory: deepDir)
        settings.model.numMossformerLayer = 2
        settings.initialization = deepDir
        let otherRun = dir.file("shrink")
        try FileManager.default.createDirectory(atPath: otherRun, withIntermediateDirectories: true)
        do {
            _ = try SeparationTrainer(settings: settings, runDirectory: otherRun, resume: false)
            Issue.record("a three-block model loaded into two blocks")
        } catch let error as SeparationError {
            #expect("\(error)".contains(deepDir + "/model.safetensors") && "\(error)".contains("not shrink"))
        }
    }

    @Test func runsFromBeforeTheLossScaleResumeWithTheirs() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try Self.corpus(dir)
        // Old checkpoints' settings lack the key; they decode as nil, which keeps the old 1 / (batch x speakers).
        var legacy = Self.settings(data: data, steps: 2)
        #expect(legacy.lossScale == 1)
        legacy.lossScale = nil
        #expect(try JSONDecoder().decode(SeparationTrainingSettings.self, from: JSONEncoder().encode(legacy)).lossScale == nil)
        var explicit = legacy
        explicit.lossScale = 1 / Float(explicit.batchSize * 2)
        var weights: [[String: Tensor]] = []
        for (name, settings) in [("legacy", legacy), ("explicit", explicit)] {
            try FileManager.default.createDirectory(atPath: dir.file(name), withIntermediateDirectories: true)
            let trainer = try SeparationTrainer(settings: settings, runDirectory: dir.file(name), resume: false)
            for i in 0..<2 {
                let metrics = try trainer.trainStep(i)
                #expect(abs(metrics["loss"]! + metrics["si_snr"]!) < 1e-3 * max(1, abs(metrics["loss"]!)))
            }
            weights.append(trainer.model.stateDict())
        }
        for key in weights[0].keys { #expect(weights[0][key]!.scalars == weights[1][key]!.scalars, "\(key)") }
    }

    @Test func randomPolarityFlipsSourcesAndOldRunsKeepTheirBatches() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try Self.corpus(dir)
        let pool = try SeparationBatchSource.pool(csv: (data as NSString).appendingPathComponent("pool/train.csv"))
        let plain = try SeparationBatchSource(mode: .dynamic(pool), sampleRate: 8_000)
        let flipping = try SeparationBatchSource(mode: .dynamic(pool), sampleRate: 8_000, randomPolarity: true)
        var signs: [Float] = []
        for seed in 0..<16 as Range<UInt64> {
            var a = SplitMix64(seed: seed), b = SplitMix64(seed: seed)
            let x = try plain.batch(size: 1, length: 2_000, using: &a), y = try flipping.batch(size: 1, length: 2_000, using: &b)
            // The same utterances, crops and levels; each source's sign flipped or not, the mixture their sum.
            for c in 0..<2 {
                let u = Array(x.sources[(c * 2_000)..<((c + 1) * 2_000)]), v = Array(y.sources[(c * 2_000)..<((c + 1) * 2_000)])
                let sign: Float = v == u ? 1 : (v == u.map { -$0 } ? -1 : 0)
                #expect(sign != 0, "seed \(seed) source \(c): not the unflipped source up to its sign")
                signs.append(sign)
            }
            for t in 0..<2_000 { #expect(y.mixtures[t] == y.sources[t] + y.sources[2_000 + t]) }
        }
        let flipped = signs.filter { $0 < 0 }.count
        #expect(flipped >= 6 && flipped <= 26, "\(flipped) of 32 sources flipped")
        // New runs flip; checkpoints from before the option lack the key and decode as off, so their batches stay.
        var settings = Self.settings(data: data, steps: 2)
        #expect(settings.randomPolarity == true)
        settings.randomPolarity = nil
        #expect(try JSONDecoder().decode(SeparationTrainingSettings.self, from: JSONEncoder().encode(settings)).randomPolarity == nil)
        try FileManager.default.createDirectory(atPath: dir.file("legacy"), withIntermediateDirectories: true)
        let legacy = try SeparationTrainer(settings: settings, runDirectory: dir.file("legacy"), resume: false)
        #expect(legacy.training.randomPolarity == false)
        _ = try legacy.trainStep(0)
        let unflipped = try legacy.validate()["val_si_snri"]!
        try legacy.saveCheckpoint(1)
        // A resume may turn it on; the checkpoint keeps it. The dev set then has every second mixture negated, so
        // the plateau rule and the best-model record start afresh, and the same weights score otherwise.
        let turnedOn = try SeparationTrainer(settings: settings, runDirectory: dir.file("legacy"), resume: true, randomPolarity: true)
        #expect(turnedOn.training.randomPolarity && turnedOn.settings.randomPolarity == true)
        #expect(legacy.bestValidationSISNRi != nil && turnedOn.bestValidationSISNRi == nil)
        let alternating = try turnedOn.validate()["val_si_snri"]!
        #expect(alternating.isFinite && alternating != unflipped)
        try turnedOn.saveCheckpoint(1)
        let kept = try SeparationTrainer(settings: settings, runDirectory: dir.file("legacy"), resume: true)
        #expect(kept.training.randomPolarity && kept.bestValidationSISNRi == turnedOn.bestValidationSISNRi)
    }
}
