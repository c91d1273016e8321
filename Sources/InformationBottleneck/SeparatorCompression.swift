import AudioDatasets
import AudioIO
import Foundation
import NN
import Separation
import TensorCore
import Training

/// Compresses a MossFormer2 separator to a multiply-adds budget with variational information-bottleneck gates
/// (VIBNet, Dai et al. 2018; as VTrans prunes Transformers), then distils the parent into the pruned model; a run
/// folder with a checkpoint, so a stopped or killed run resumes exactly (`sepkws compress --resume RUN`).
///
/// 1. **Gates** (``SeparatorCompressionSettings/gateSteps`` steps): ``GatedSeparator`` puts a noisy gate
///    `z = μ + σε` on every block, query/key channel, expansion unit and FSMN hidden unit. Network and gates minimise
///    `w·(−SI-SNR to the parent's outputs) + (1−w)·(−SI-SNR to the references)` (both under PIT, dB)
///    `+ γ · mean_u ½ ln(1 + μ_u²/σ_u²) + λ · (c − F_t) + ρ/2 · (c − F_t)²` with `c = E[MACs]/MACs_parent`, the
///    expectation under keep probabilities `sigmoid(ln α_u)`, and a target `F_t` that ramps from 1 to `F`
///    (``BudgetConstraint``).
/// 2. **Pruning** (``select(gated:budget:)``): units whose gate is off (`ln α < 0`) go, then the weakest until the
///    multiply-adds are at most `F ×` the parent's, then removed units of the kept blocks come back, strongest first,
///    while they fit; the gate means are folded
///    into the kept weights (``SeparatorUnitSelection/prunedModel(parent:queryKeyScales:hiddenScales:fsmnHiddenScales:outScales:)``).
/// 3. **Fine-tuning** (the remaining steps): the pruned model learns the same distillation loss.
///
/// Every step's randomness derives from (seed, step), so a resumed run repeats the uninterrupted run's steps.
public final class SeparatorCompression {
    /// The run's settings (from the checkpoint when resumed).
    public let settings: SeparatorCompressionSettings
    /// The run folder.
    public let runDirectory: String
    /// The parent, in inference mode.
    public let parent: MossFormer2Separator
    /// The parent's inference buffers (the teacher's outputs of every batch run on them).
    private let parentWorkspace: MossFormer2Workspace
    /// The parent's multiply-adds of one second of audio.
    public var parentMultiplyAdds: Double { parent.configuration.multiplyAdds(samples: parent.configuration.sampleRate) }
    /// Steps done.
    public private(set) var step = 0
    /// The gated network (gate phase; nil once pruned).
    public private(set) var gated: GatedSeparator?
    /// The pruned model (fine-tuning phase).
    public private(set) var child: MossFormer2Separator?
    /// The kept units (once pruned).
    public private(set) var selection: SeparatorUnitSelection?
    /// The budget's augmented Lagrangian and its multiplier (set from the checkpoint when resumed).
    public private(set) var constraint: BudgetConstraint
    /// The Lagrange multiplier.
    public var multiplier: Float { constraint.multiplier }
    private var optimizer: Adam
    private let source: SeparationBatchSource

    /// The log's columns.
    public static let logColumns = ["step", "loss", "si_snr_parent", "si_snr_reference", "cost_share", "multiplier", "steps_per_second"]

    /// Starts a run (the folder is created; refused if it holds a checkpoint) or resumes one from its checkpoint.
    /// - Parameters:
    ///   - settings: a new run's settings (ignored when resuming).
    ///   - runDirectory: the run folder (its lock is held until ``release()``).
    ///   - resume: continue from the folder's checkpoint.
    /// - Throws: ``TrainingError``, ``InformationBottleneckError``, `SeparationError`, `DatasetError`.
    public init(settings: SeparatorCompressionSettings, runDirectory: String, resume: Bool) throws {
        self.runDirectory = runDirectory
        var settings = settings
        var state: TrainingState?
        if resume {
            try RunLock.acquire(runDirectory: runDirectory)
            state = try TrainingCheckpoint.readState(runDirectory: runDirectory)
            settings = try JSONDecoder().decode(SeparatorCompressionSettings.self, from: Data(state!.configuration.utf8))
        } else {
            if TrainingCheckpoint.exists(in: runDirectory) { throw TrainingError.runExists(path: runDirectory) }
            try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
            try RunLock.acquire(runDirectory: runDirectory)
        }
        try settings.validate()
        self.settings = settings
        constraint = BudgetConstraint(budget: settings.budget, gateSteps: settings.gateSteps, rho: settings.multiplierStep,
                                      multiplier: state?.extra["multiplier"].flatMap(Float.init) ?? 0)
        parent = try MossFormer2Separator(directory: settings.parent)
        parent.setTraining(false)
        parentWorkspace = parent.makeWorkspace()
        var pool: [(path: String, speaker: String)] = [], fixed: [SeparationExample] = []
        for folder in settings.data {
            let poolCSV = (folder as NSString).appendingPathComponent("pool/train.csv")
            if FileManager.default.fileExists(atPath: poolCSV) {
                pool += try SeparationBatchSource.pool(csv: poolCSV)
            } else {
                fixed += try SeparationDataset.examples(root: folder, split: "train")
            }
        }
        let c = parent.configuration
        var floor = SeparatorUnitSelection(keepingAllOf: c)
        floor.blocks = [0]
        (floor.queryKey[0], floor.hidden[0], floor.fsmnHidden[0]) = (Array(0..<max(c.rotaryDims, 1)), [0], [0])
        let floorShare = floor.multiplyAdds(parent: c) / c.multiplyAdds(samples: c.sampleRate)
        if settings.budget < floorShare { throw InformationBottleneckError.budgetUnreachable(budget: settings.budget, floor: floorShare) }
        source = try SeparationBatchSource(mode: pool.isEmpty ? .fixed(fixed) : .dynamic(pool), sampleRate: c.sampleRate,
                                           speakers: c.numSpks, randomPolarity: true,
                                           augmenter: try settings.augmentation.map { try SourceAugmenter(settings: $0, sampleRate: c.sampleRate) })
        if let state, state.extra["phase"] == "fine-tuning" {
            guard let json = state.extra["selection"],
                  let selection = try? JSONDecoder().decode(SeparatorUnitSelection.self, from: Data(json.utf8)) else {
                throw TrainingError.incompatibleCheckpoint(path: TrainingCheckpoint.path(in: runDirectory), reason: "a fine-tuning checkpoint without its unit selection")
            }
            var small = selection.configuration(from: c)
            (small.compressedFrom, small.compressionBudget) = (Self.parentName(settings.parent), settings.budget)
            let model = try MossFormer2Separator(configuration: small, dropout: 0)
            model.setTraining(true)
            optimizer = Adam(parameters: model.namedParameters(), learningRate: settings.learningRate)
            step = try TrainingCheckpoint.load(into: model, optimizer: optimizer, runDirectory: runDirectory).step
            (self.child, self.selection) = (model, selection)
        } else {
            let student = try MossFormer2Separator(configuration: c, dropout: 0)
            try student.load(parent.stateDict())
            let gated = GatedSeparator(network: student)
            gated.setTraining(true)
            optimizer = Adam(parameters: gated.namedParameters(), learningRate: settings.learningRate)
            optimizer.setLearningRateScale(settings.gateLearningRateScale(steps: settings.gateSteps)) { $0.hasPrefix("gates.") }
            if state != nil { step = try TrainingCheckpoint.load(into: gated, optimizer: optimizer, runDirectory: runDirectory).step }
            self.gated = gated
        }
    }

    /// Lets go of the run folder's lock.
    public func release() { RunLock.release(runDirectory: runDirectory) }

    /// Whether a model folder holds a separator (its config.json has no `labels`, which a keyword spotter's has).
    public static func isSeparator(directory: String) -> Bool {
        guard let data = try? ModelDirectory(directory).readConfiguration(),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return object["labels"] == nil
    }

    /// One line on the finished run: multiply-adds of parent and child, the kept sizes, the output folder.
    public var summary: String {
        guard let child else { return "\(runDirectory): not pruned yet (step \(step))" }
        let c = child.configuration, macs = c.multiplyAdds(samples: c.sampleRate)
        func list(_ widths: [Int]?) -> String { (widths ?? []).map(String.init).joined(separator: ",") }
        return String(format: "%.1f M -> %.1f M multiply-adds per second (%.3f of the parent's; budget %.3f); %d blocks, hidden %@, query/key %@, fsmn hidden %@; %d parameters; wrote %@",
                      parentMultiplyAdds / 1e6, macs / 1e6, macs / parentMultiplyAdds, settings.budget, c.numMossformerLayer,
                      list(c.attentionHiddenDims), list(c.queryKeyDims), list(c.fsmnHiddenDims), child.parameterCount, settings.out)
    }

    /// The folder name of a model path (the child's `compressed_from`).
    public static func parentName(_ path: String) -> String {
        (URL(fileURLWithPath: path).standardizedFileURL.path as NSString).lastPathComponent
    }

    /// A batch drawn with `seed`: mixtures `[B, T]`, references `[B, C, T]`, the parent's estimates `[B, C, T]` (no graph).
    func batch(seed: UInt64) throws -> (mixtures: Tensor, references: Tensor, teacher: Tensor) {
        var rng = SplitMix64(seed: seed)
        let length = Int(settings.cropSeconds * Double(parent.configuration.sampleRate))
        let b = try source.batch(size: settings.batchSize, length: length, using: &rng)
        let mixtures = Tensor(b.mixtures, shape: [b.batchSize, length])
        let teacher = Autograd.withInferenceMode { parent(mixtures, workspace: parentWorkspace) }   // [B, C, T]
        return (mixtures, Tensor(b.sources, shape: [b.batchSize, b.speakers, length]), teacher)
    }

    /// The distillation loss of estimates `[B, C, T]` and its two SI-SNRs (dB).
    func distillation(_ estimates: Tensor, teacher: Tensor, references: Tensor) -> (loss: Tensor, parent: Double, reference: Double) {
        let toParent = PermutationInvariantLoss.negativeSISNR(estimates: estimates, targets: teacher)
        let toReferences = PermutationInvariantLoss.negativeSISNR(estimates: estimates, targets: references)
        let w = settings.distillationWeight
        return (toParent.loss * w + toReferences.loss * (1 - w), -Double(toParent.loss.item), -Double(toReferences.loss.item))
    }

    /// One optimizer step of either phase.
    func trainStep(_ index: Int) throws -> [String: Double] {
        let (mixtures, references, teacher) = try batch(seed: derivedSeed(settings.seed, 1, index))
        optimizer.zeroGrad()
        if let gated {
            let d = distillation(gated(mixtures, noiseSeed: derivedSeed(settings.seed, 2, index)),
                                 teacher: teacher, references: references)
            let cost = gated.expectedCostShare()
            let units = Float(max(gated.gates.map(\.count).reduce(0, +), 1))
            let loss = d.loss + gated.informationCost() * (settings.informationWeight / units) + constraint.penalty(cost: cost, step: index)
            loss.backward()
            _ = clipGradNorm(optimizer.parameters, maxNorm: 10)
            optimizer.step()
            constraint.ascend(cost: cost.item, step: index)
            step = index + 1
            return ["loss": Double(loss.item), "si_snr_parent": d.parent, "si_snr_reference": d.reference,
                    "cost_share": Double(cost.item), "multiplier": Double(multiplier)]
        }
        let model = child!
        let d = distillation(model(mixtures), teacher: teacher, references: references)
        d.loss.backward()
        _ = clipGradNorm(optimizer.parameters, maxNorm: 10)
        optimizer.step()
        step = index + 1
        let c = model.configuration
        return ["loss": Double(d.loss.item), "si_snr_parent": d.parent, "si_snr_reference": d.reference,
                "cost_share": c.multiplyAdds(samples: c.sampleRate) / parentMultiplyAdds]
    }

    /// Saves the checkpoint after `done` steps.
    public func saveCheckpoint(_ done: Int) throws {
        let json = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        var extra = ["phase": gated != nil ? "gates" : "fine-tuning", "multiplier": String(multiplier)]
        if let selection { extra["selection"] = String(decoding: try JSONEncoder().encode(selection), as: UTF8.self) }
        let model: any Layer = gated ?? child!
        try TrainingCheckpoint.save(model: model, optimizer: optimizer,
                                    state: TrainingState(step: done, randomState: settings.seed, configuration: json, extra: extra),
                                    runDirectory: runDirectory)
    }

    /// Ends the gate phase: selects the units, folds the gates into the pruned model and starts its optimizer.
    /// - Throws: ``InformationBottleneckError/budgetUnreachable(budget:floor:)``.
    public func prune() throws {
        guard let gated else { return }
        let selection = try Self.select(gated: gated, budget: settings.budget)
        let c = parent.configuration, rotary = c.rotaryDims
        // to_out's ScaleNorm now sees the kept units only: the typical ‖o_kept‖/‖o‖ of each block, on one batch.
        var ratios = [Float](repeating: 1, count: c.numMossformerLayer)
        let network = gated.network
        network.setTraining(false)
        network.trace = { name, value in
            guard name.hasSuffix(".flash.gated"), let block = Int(name.dropFirst(5).prefix { $0 != "." }) else { return }
            let e = value.shape[value.rank - 1], rows = value.count / e, values = value.scalars
            var sum: Float = 0
            for r in 0..<rows {
                var all: Float = 0, kept: Float = 0
                for j in 0..<e { all += values[r * e + j] * values[r * e + j] }
                for j in selection.hidden[block] { kept += values[r * e + j] * values[r * e + j] }
                sum += all > 0 ? (kept / all).squareRoot() : 1
            }
            ratios[block] = sum / Float(max(rows, 1))
        }
        let calibration = try batch(seed: derivedSeed(settings.seed, 3)).mixtures
        _ = Autograd.withInferenceMode { gated(calibration, noiseSeed: nil) }
        network.trace = nil
        let queryScales = (0..<c.numMossformerLayer).map { [Float](repeating: 1, count: rotary) + gated.queryKeyGates[$0].mean.scalars }
        let model = try selection.prunedModel(
            parent: network, queryKeyScales: queryScales, hiddenScales: gated.hiddenGates.map(\.mean.scalars),
            fsmnHiddenScales: gated.fsmnHiddenGates.map(\.mean.scalars), outScales: ratios)
        var small = model.configuration
        (small.compressedFrom, small.compressionBudget) = (Self.parentName(settings.parent), settings.budget)
        let named = try MossFormer2Separator(configuration: small, dropout: 0)
        try named.load(model.stateDict())
        named.setTraining(true)
        optimizer = Adam(parameters: named.namedParameters(), learningRate: settings.learningRate)
        (self.child, self.selection, self.gated) = (named, selection, nil)
    }

    /// Runs the remaining steps (pruning between the phases), checkpointing and logging on schedule; a stop request
    /// saves and returns. Finished, it writes the model folder ``SeparatorCompressionSettings/out`` (in the parent's
    /// element type: F16 stays F16).
    /// - Parameter progress: (phase, steps done, steps in all, metrics) after every step.
    /// - Returns: how the run ended.
    public func run(stopSignal: StopSignal, progress: (String, Int, Int, [String: Double]) -> Void = { _, _, _, _ in }) throws -> TrainingOutcome {
        let log = try TrainingLog(path: (runDirectory as NSString).appendingPathComponent("log.csv"), columns: Self.logColumns,
                                  resumingAt: step > 0 ? step : nil)
        for (phaseEnd, name) in [(settings.gateSteps, "gates"), (settings.steps, "fine-tuning")] {
            if name == "fine-tuning" { try prune() }
            guard step < phaseEnd else { continue }
            let schedule = TrainingSchedule(totalSteps: phaseEnd, logEvery: settings.logEvery, validateEvery: 0,
                                            checkpointEvery: settings.checkpointEvery)
            let outcome = try TrainingLoop(schedule: schedule, stopSignal: stopSignal).run(
                startStep: step, step: { try trainStep($0) }, log: { try log.append($0) }, checkpoint: { try saveCheckpoint($0) },
                progress: { progress(name, $0.step, settings.steps, $0.metrics) })
            if case .stopped = outcome { return outcome }
        }
        let model = child!
        model.setTraining(false)
        // The parent's element type (the shipped separators are F16).
        let stored = try ModelDirectory(settings.parent).readWeights(format: MossFormer2Separator.format).storedDTypes.values
        let dtype: SafeTensorsDType = stored.contains(.f32) || stored.isEmpty ? .f32 : stored.first!
        // ModelDirectory writes the folder atomically (a model card already there stays).
        try model.write(directory: settings.out, dtype: dtype, metadata: ["compressed_from": Self.parentName(settings.parent)])
        return .finished(step: step)
    }

    /// The units to keep. Gates that are off (`ln α < 0`) go (a group keeps at least its strongest unit; the
    /// strongest block stays); then, while the multiply-adds are over `budget ×` the parent's, the weakest query/key
    /// channel, expansion unit or FSMN hidden unit of the kept blocks (smallest `ln α`), and a whole block (the
    /// weakest) only when no such unit is left to remove; last, removed units of the kept blocks (strongest first) and
    /// then dropped blocks (strongest first, with all their units or with those whose gate is on) come back while they
    /// fit: the budget is spent (a unit whose gate is off still carries its folded mean; a block's mean is 1).
    /// - Throws: ``InformationBottleneckError/budgetUnreachable(budget:floor:)``.
    public static func select(gated: GatedSeparator, budget: Double) throws(InformationBottleneckError) -> SeparatorUnitSelection {
        let c = gated.network.configuration, rotary = c.rotaryDims
        let full = c.multiplyAdds(samples: c.sampleRate), limit = budget * full
        let blockAlpha = gated.blockGates.logAlpha
        // Per block and kind (0 query/key, 1 expansion, 2 FSMN hidden): ln α per unit index of the parent.
        let alphas: [[[Float]]] = (0..<c.numMossformerLayer).map { i in
            [[Float](repeating: .infinity, count: rotary) + gated.queryKeyGates[i].logAlpha, gated.hiddenGates[i].logAlpha,
             gated.fsmnHiddenGates[i].logAlpha]
        }
        func on(_ alpha: [Float]) -> [Int] {
            let kept = alpha.indices.filter { alpha[$0] >= 0 }
            return kept.isEmpty ? [alpha.indices.max { alpha[$0] < alpha[$1] }!] : kept
        }
        func units(_ s: SeparatorUnitSelection, _ block: Int, _ kind: Int) -> [Int] {
            [s.queryKey, s.hidden, s.fsmnHidden][kind][block]
        }
        func set(_ s: inout SeparatorUnitSelection, _ block: Int, _ kind: Int, _ value: [Int]) {
            switch kind {
            case 0: s.queryKey[block] = value
            case 1: s.hidden[block] = value
            default: s.fsmnHidden[block] = value
            }
        }
        var selection = SeparatorUnitSelection(keepingAllOf: c)
        let strongest = blockAlpha.indices.max { blockAlpha[$0] < blockAlpha[$1] } ?? 0
        selection.blocks = blockAlpha.indices.filter { blockAlpha[$0] >= 0 || $0 == strongest }
        for i in 0..<c.numMossformerLayer {
            for kind in 0..<3 { set(&selection, i, kind, on(alphas[i][kind])) }
        }
        while selection.multiplyAdds(parent: c) > limit {
            var weakest: (alpha: Float, block: Int, kind: Int, unit: Int)?
            for i in selection.blocks {
                for kind in 0..<3 where units(selection, i, kind).count > (kind == 0 ? max(rotary, 1) : 1) {
                    for u in units(selection, i, kind) where weakest == nil || alphas[i][kind][u] < weakest!.alpha {
                        weakest = (alphas[i][kind][u], i, kind, u)
                    }
                }
            }
            if let w = weakest {
                set(&selection, w.block, w.kind, units(selection, w.block, w.kind).filter { $0 != w.unit })
            } else if selection.blocks.count > 1, let block = selection.blocks.min(by: { blockAlpha[$0] < blockAlpha[$1] }) {
                selection.blocks.removeAll { $0 == block }
            } else {
                throw .budgetUnreachable(budget: budget, floor: selection.multiplyAdds(parent: c) / full)
            }
        }
        var returning: [(alpha: Float, block: Int, kind: Int, unit: Int)] = []
        for i in selection.blocks {
            for kind in 0..<3 {
                for (u, alpha) in alphas[i][kind].enumerated() where !units(selection, i, kind).contains(u) {
                    returning.append((alpha, i, kind, u))
                }
            }
        }
        for candidate in returning.sorted(by: { $0.alpha > $1.alpha }) {
            var trial = selection
            set(&trial, candidate.block, candidate.kind, (units(trial, candidate.block, candidate.kind) + [candidate.unit]).sorted())
            if trial.multiplyAdds(parent: c) <= limit { selection = trial }
        }
        // Dropped blocks come back, strongest first, with all their units, else with those whose gate is on, if they fit.
        for block in blockAlpha.indices.sorted(by: { blockAlpha[$0] > blockAlpha[$1] }) where !selection.blocks.contains(block) {
            for kept in [{ (alpha: [Float]) in Array(alpha.indices) }, on] {
                var trial = selection
                trial.blocks = (trial.blocks + [block]).sorted()
                for kind in 0..<3 { set(&trial, block, kind, kept(alphas[block][kind])) }
                if trial.multiplyAdds(parent: c) <= limit { selection = trial; break }
            }
        }
        return selection
    }
}
