import AudioDatasets
import AudioIO
import Foundation
import KeywordSpotting
import NN
import TensorCore
import Training

/// What a resumable keyword-spotter compression needs besides its ``CompressionSettings``: where the parent, the
/// clips and the output are (stored in the run's checkpoint, so `--resume RUN` needs nothing else).
public struct KWSCompressionJob: Sendable, Equatable, Codable {
    public var parent: String
    public var out: String
    public var data: [String]
    public var settings: CompressionSettings
    public var checkpointEvery = 50
    public var logEvery = 10

    public init(parent: String, out: String, data: [String], settings: CompressionSettings) {
        (self.parent, self.out, self.data, self.settings) = (parent, out, data, settings)
    }

    /// The job of a run folder's checkpoint.
    /// - Throws: ``TrainingError``.
    public static func stored(runDirectory: String) throws -> KWSCompressionJob {
        let state = try TrainingCheckpoint.readState(runDirectory: runDirectory)
        do { return try JSONDecoder().decode(Self.self, from: Data(state.configuration.utf8)) } catch {
            throw TrainingError.incompatibleCheckpoint(path: TrainingCheckpoint.path(in: runDirectory), reason: "not a keyword-spotter compression: \(error)")
        }
    }
}

/// The steps of ``KWSCompressor``'s compression as a run: the gate phase (the first half of the steps), pruning,
/// then fine-tuning, each step's randomness derived from (seed, step). With a run folder it checkpoints
/// (`checkpoint.safetensors`: the gated network or the pruned model, Adam's state, the phase, the multiplier and the
/// selection) and logs (`log.csv`), so a stopped or killed run resumes exactly.
public final class KWSCompression {
    public let settings: CompressionSettings
    public let parent: KeywordClassifier
    public let parentName: String
    /// The run folder and its job (nil: in memory, no checkpoints).
    public let run: (directory: String, job: KWSCompressionJob)?
    /// Steps done.
    public private(set) var step = 0
    public private(set) var gated: GatedKeywordNetwork?
    public private(set) var model: KeywordClassifier?
    public private(set) var selection: KWSUnitSelection?
    /// The budget's augmented Lagrangian and its multiplier (set from the checkpoint when resumed).
    public private(set) var constraint: BudgetConstraint
    /// The Lagrange multiplier.
    public var multiplier: Float { constraint.multiplier }
    private var optimizer: Adam
    private let features: Tensor
    private let teacher: Tensor
    /// Fresh distillation windows (``CompressionSettings/windows``), or nil for ``features``.
    private let windows: KeywordBatchSource?

    /// The log's columns.
    public static let logColumns = ["step", "loss", "cost_share", "multiplier", "steps_per_second"]

    /// A run of `settings` on `features` (log-mel `[N, T, M]`, ``KWSCompressor/trainingFeatures(data:configuration:count:seed:)``;
    /// with `windows`, the steps distil on its fresh windows and `features` only measure the agreement);
    /// with `run`, a new run in its folder (refused if it holds a checkpoint) or, with `resume`, the folder's run continued.
    /// - Throws: ``InformationBottleneckError``, ``TrainingError``.
    public init(parent: KeywordClassifier, parentName: String, features: Tensor, settings: CompressionSettings,
                windows: KeywordBatchSource? = nil, run: (directory: String, job: KWSCompressionJob)? = nil, resume: Bool = false) throws {
        try settings.validate()
        (self.parent, self.parentName, self.features, self.settings, self.run) = (parent, parentName, features, settings, run)
        self.windows = windows
        parent.setTraining(false)
        let n = features.shape[0]
        var logits: [Float] = []
        for start in stride(from: 0, to: n, by: 64) {
            logits += Autograd.withInferenceMode { parent(features.sliced(axis: 0, start..<min(n, start + 64))) }.scalars
        }
        teacher = Tensor(logits, shape: [n, parent.configuration.classCount])
        var state: TrainingState?
        if let run {
            if !resume {
                if TrainingCheckpoint.exists(in: run.directory) { throw TrainingError.runExists(path: run.directory) }
                try FileManager.default.createDirectory(atPath: run.directory, withIntermediateDirectories: true)
            }
            try RunLock.acquire(runDirectory: run.directory)
            if resume { state = try TrainingCheckpoint.readState(runDirectory: run.directory) }
        }
        constraint = BudgetConstraint(budget: settings.budget, gateSteps: settings.gatePhaseSteps, rho: settings.multiplierStep,
                                      multiplier: state?.extra["multiplier"].flatMap(Float.init) ?? 0)
        if let state, state.extra["phase"] == "fine-tuning", let run {
            guard let json = state.extra["selection"], let chosen = try? JSONDecoder().decode(KWSUnitSelection.self, from: Data(json.utf8)) else {
                throw TrainingError.incompatibleCheckpoint(path: TrainingCheckpoint.path(in: run.directory), reason: "a fine-tuning checkpoint without its unit selection")
            }
            let small = KeywordClassifier(configuration: Self.childConfiguration(chosen, parent: parent.configuration, name: parentName, budget: settings.budget), seed: 0)
            small.setTraining(true)
            optimizer = Adam(parameters: small.namedParameters(), learningRate: settings.learningRate)
            step = try TrainingCheckpoint.load(into: small, optimizer: optimizer, runDirectory: run.directory).step
            (model, selection) = (small, chosen)
        } else {
            let student = KeywordClassifier(configuration: parent.configuration, seed: settings.seed)
            try student.load(parent.stateDict())
            let gated = GatedKeywordNetwork(network: student)
            student.setTraining(true)
            optimizer = Adam(parameters: gated.namedParameters(), learningRate: settings.learningRate)
            if state != nil, let run { step = try TrainingCheckpoint.load(into: gated, optimizer: optimizer, runDirectory: run.directory).step }
            self.gated = gated
        }
    }

    /// Lets go of the run folder's lock.
    public func release() { if let run { RunLock.release(runDirectory: run.directory) } }

    /// The child's configuration: the selection's, naming its parent and budget.
    static func childConfiguration(_ selection: KWSUnitSelection, parent: KWSConfiguration, name: String, budget: Double) -> KWSConfiguration {
        var c = selection.configuration(from: parent)
        (c.compressedFrom, c.compressionBudget) = (name, budget)
        return c
    }

    var gateSteps: Int { settings.gatePhaseSteps }

    /// One optimizer step of either phase.
    func trainStep(_ index: Int) throws -> [String: Double] {
        var rng = SplitMix64(seed: derivedSeed(settings.seed, 1, index))
        let x: Tensor, t: Tensor
        if let windows {
            x = try windows.batch(size: settings.batchSize, using: &rng).features
            t = Autograd.withInferenceMode { parent(x) }
        } else {
            let n = features.shape[0]
            let indices = (0..<settings.batchSize).map { _ in Int(rng.next() % UInt64(n)) }
            (x, t) = (PrunedTensors.rows(features, indices), PrunedTensors.rows(teacher, indices))
        }
        let dropout = derivedSeed(settings.seed, 2, index)
        defer { step = index + 1 }
        if let gated {
            let logits = gated(x, dropoutSeed: dropout, noiseSeed: derivedSeed(settings.seed, 3, index))
            let cost = gated.expectedCostShare()
            let units = Float(max(gated.gates.map(\.count).reduce(0, +), 1))
            let loss = KWSCompressor.distillationLoss(student: logits, teacher: t, temperature: settings.temperature)
                + gated.informationCost() * (settings.informationWeight / units) + constraint.penalty(cost: cost, step: index)
            loss.backward()
            optimizer.step()
            optimizer.zeroGrad()
            constraint.ascend(cost: cost.item, step: index)
            return ["loss": Double(loss.item), "cost_share": Double(cost.item), "multiplier": Double(multiplier)]
        }
        let small = model!
        // Cosine decay over the fine-tuning phase, from the learning rate to 0, as train-kws ends its runs.
        let schedule = WarmupCosineSchedule(peak: settings.learningRate, warmupSteps: 0, totalSteps: max(1, settings.steps - gateSteps))
        optimizer.learningRate = schedule.learningRate(at: index - gateSteps)
        let loss = KWSCompressor.distillationLoss(student: small(x, dropoutSeed: dropout), teacher: t, temperature: settings.temperature)
        loss.backward()
        _ = clipGradNorm(optimizer.parameters, maxNorm: 5)
        optimizer.step()
        optimizer.zeroGrad()
        let share = Double(small.configuration.multiplyAccumulatesPerWindow) / Double(parent.configuration.multiplyAccumulatesPerWindow)
        return ["loss": Double(loss.item), "cost_share": share]
    }

    /// Ends the gate phase: selection, the gate means folded into the pruned model, its optimizer.
    /// - Throws: ``InformationBottleneckError/budgetUnreachable(budget:floor:)``.
    public func prune() throws {
        guard let gated else { return }
        let chosen = try KWSCompressor.select(gated: gated, budget: settings.budget)
        let pruned = try chosen.prunedModel(
            parent: gated.network, layerScales: gated.layerGates.mean.scalars, headScales: gated.headGates.map(\.mean.scalars),
            feedForwardScales: gated.feedForwardGates.map(\.mean.scalars),
            bottleneckScales: gated.bottleneckGates.mean.scalars)
        let small = KeywordClassifier(configuration: Self.childConfiguration(chosen, parent: parent.configuration, name: parentName, budget: settings.budget), seed: 0)
        try small.load(pruned.stateDict())
        small.setTraining(true)
        optimizer = Adam(parameters: small.namedParameters(), learningRate: settings.learningRate)
        (model, selection, self.gated) = (small, chosen, nil)
    }

    /// Saves the run folder's checkpoint after `done` steps (nothing in memory).
    public func saveCheckpoint(_ done: Int) throws {
        guard let run else { return }
        let json = String(decoding: try JSONEncoder().encode(run.job), as: UTF8.self)
        var extra = ["phase": gated != nil ? "gates" : "fine-tuning", "multiplier": String(multiplier)]
        if let selection { extra["selection"] = String(decoding: try JSONEncoder().encode(selection), as: UTF8.self) }
        let layer: any Layer = gated ?? model!
        try TrainingCheckpoint.save(model: layer, optimizer: optimizer,
                                    state: TrainingState(step: done, randomState: settings.seed, configuration: json, extra: extra),
                                    runDirectory: run.directory)
    }

    /// Runs the remaining steps (pruning between the phases); a stop request saves and returns.
    /// - Parameter progress: (phase, steps done, steps in all, metrics) after every step.
    public func run(stopSignal: StopSignal, progress: (String, Int, Int, [String: Double]) -> Void = { _, _, _, _ in }) throws -> TrainingOutcome {
        let log = try run.map {
            try TrainingLog(path: ($0.directory as NSString).appendingPathComponent("log.csv"), columns: Self.logColumns, resumingAt: step > 0 ? step : nil)
        }
        for (phaseEnd, name) in [(gateSteps, "gates"), (settings.steps, "fine-tuning")] {
            if name == "fine-tuning" { try prune() }
            guard step < phaseEnd else { continue }
            let schedule = TrainingSchedule(totalSteps: phaseEnd, logEvery: run?.job.logEvery ?? phaseEnd, validateEvery: 0,
                                            checkpointEvery: run?.job.checkpointEvery ?? phaseEnd)
            let outcome = try TrainingLoop(schedule: schedule, stopSignal: stopSignal).run(
                startStep: step, step: { try trainStep($0) }, log: { try log?.append($0) }, checkpoint: { try saveCheckpoint($0) },
                progress: { progress(name, $0.step, settings.steps, $0.metrics) })
            if case .stopped = outcome { return outcome }
        }
        return .finished(step: step)
    }

    /// The finished run's model and numbers (agreement with the parent's top class on the clips).
    public func result() throws -> CompressionResult {
        guard let model, let selection, step >= settings.steps else {
            throw InformationBottleneckError.invalidSetting(name: "run", value: "step \(step)", reason: "the compression has not finished")
        }
        model.setTraining(false)
        let n = features.shape[0]
        var agreeing = 0
        for start in stride(from: 0, to: n, by: 64) {
            let range = start..<min(n, start + 64)
            let predicted = Autograd.withInferenceMode { model(features.sliced(axis: 0, range)) }.argmax(axis: -1)
            agreeing += zip(predicted, teacher.sliced(axis: 0, range).argmax(axis: -1)).filter { $0 == $1 }.count
        }
        return CompressionResult(
            model: model, selection: selection, parentMultiplyAccumulates: parent.configuration.multiplyAccumulatesPerWindow,
            multiplyAccumulates: model.configuration.multiplyAccumulatesPerWindow, agreement: Double(agreeing) / Double(n))
    }
}
