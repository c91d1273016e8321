import AudioDatasets
import AudioIO
import Foundation
import KeywordSpotting
import NN
import TensorCore
import Training

/// Compresses a keyword classifier to a multiply-adds budget with variational information-bottleneck gates
/// (VIBNet, Dai et al. 2018; as VTrans prunes Transformers), then distils the parent into the pruned model.
///
/// 1. **Gates** (``CompressionSettings/gatePhaseSteps``, by default the first half): ``GatedKeywordNetwork`` puts a noisy gate `z = μ + σε` on every Transformer
///    layer, attention head, feed-forward unit and bottleneck unit. The network and gates minimise
///    `τ² KL(p_parent^τ ‖ p^τ) + γ · mean_u ½ ln(1 + μ_u²/σ_u²) + λ · (c − F_t) + ρ/2 · (c − F_t)²` with
///    `c = E[MACs]/MACs_parent`, the expectation under keep probabilities `sigmoid(ln α_u)`, and a target `F_t` that
///    ramps from 1 to `F` (``BudgetConstraint``, shared with the separator's compression).
/// 2. **Pruning** (``select(gated:budget:)``): units whose gate is off (`ln α < 0`) go, then the weakest remaining
///    units (smallest `ln α`; whole layers last) until the multiply-adds of the smaller configuration are at most
///    `F ×` the parent's (``KWSConfiguration/multiplyAccumulatesPerWindow``), then units that fit come back. Gate
///    means are folded into the kept weights
///    (``KWSUnitSelection/prunedModel(parent:layerScales:headScales:feedForwardScales:bottleneckScales:)``): physically smaller tensors.
/// 3. **Fine-tuning** (the remaining steps): the pruned model learns the parent's softened outputs (`τ² KL`), the
///    learning rate decaying to 0 along a cosine.
///
/// Attention heads go one by one (a kept head keeps its width `E/heads`). Convolution channels are not pruned: they
/// set the Transformer's width `E`, which every layer shares.
public enum KWSCompressor {
    /// Log-mel features `[N, T, M]` of up to `count` clips from the train splits of Speech Commands folders (the dev
    /// and test splits of a folder without train clips, e.g. a test set), a seeded draw spread over the folders.
    /// - Throws: dataset and audio errors; ``InformationBottleneckError/tooFewClips(path:count:required:)``.
    public static func trainingFeatures(data: [String], configuration: KWSConfiguration, count: Int, seed: UInt64) throws -> Tensor {
        guard let labelSet = KeywordLabelSet(labels: configuration.labels) else {
            throw InformationBottleneckError.runSettings(path: data.first ?? "", reason: "the model's labels are not a Speech Commands task")
        }
        let rate = configuration.frontEnd.sampleRate, length = configuration.frontEnd.clipSamples
        var rng = SplitMix64(seed: seed)
        var chosen: [KeywordExample] = []
        for (index, root) in data.enumerated() {
            let dataset = try SpeechCommandsDataset(root: root, labelSet: labelSet, windowSamples: length)
            var examples = (try? dataset.examples(in: .train)) ?? []
            if examples.isEmpty { examples = ((try? dataset.examples(in: .dev)) ?? []) + ((try? dataset.examples(in: .test)) ?? []) }
            examples.shuffle(using: &rng)
            let share = (count - chosen.count) / (data.count - index)
            chosen += examples.prefix(share)
        }
        guard !chosen.isEmpty else { throw InformationBottleneckError.tooFewClips(path: data.joined(separator: ", "), count: 0, required: 1) }
        let frontEnd = try LogMelFrontEnd(configuration.frontEnd)
        return frontEnd.batch(try chosen.map { try KeywordClips.load($0, sampleRate: rate, length: length) })
    }

    /// The fresh distillation windows of `settings.windows` on the train splits of `data`, or nil without them.
    /// - Parameters:
    ///   - data: Speech Commands folders.
    ///   - configuration: the parent's (its labels and front end).
    ///   - log: receives loading lines.
    /// - Throws: ``InformationBottleneckError/runSettings(path:reason:)`` for labels that are not a Speech Commands
    ///   task; `DatasetError`, `AudioIOError` for the data.
    public static func distillationWindows(
        data: [String], configuration: KWSConfiguration, settings: CompressionSettings, log: (String) -> Void = { _ in }
    ) throws -> KeywordBatchSource? {
        guard let w = settings.windows else { return nil }
        guard let labelSet = KeywordLabelSet(labels: configuration.labels) else {
            throw InformationBottleneckError.runSettings(path: data.first ?? "", reason: "the model's labels are not a Speech Commands task")
        }
        return try KeywordBatchSource(
            data: data, labelSet: labelSet, frontEnd: configuration.frontEnd, silenceShare: w.silenceShare, unknownShare: w.unknownShare,
            augmentation: w.augmentation, contextFolders: w.contextFolders, context: w.context, seed: settings.seed, log: log)
    }

    /// `τ² · mean_b KL(softmax(t/τ) ‖ softmax(s/τ))` for student logits `s` and fixed teacher logits `t`, `[B, C]` each.
    public static func distillationLoss(student: Tensor, teacher: Tensor, temperature: Float) -> Tensor {
        let target = (teacher.detached() * (1 / temperature)).softmax(axis: -1)
        let targetLog = (teacher.detached() * (1 / temperature)).logSoftmax(axis: -1)
        let studentLog = (student * (1 / temperature)).logSoftmax(axis: -1)
        return (target * (targetLog - studentLog)).sum(axis: 1).mean() * (temperature * temperature)
    }

    /// Compresses `parent`.
    /// - Parameters:
    ///   - parent: the model to compress (unchanged).
    ///   - parentName: recorded as the new configuration's `compressed_from`.
    ///   - features: training clips' log-mel `[N, T, M]` (``trainingFeatures(data:configuration:count:seed:)``).
    ///   - settings: budget and training knobs.
    ///   - progress: (phase, steps done, steps in all, loss) after every step.
    /// - Returns: the compressed model and its numbers.
    /// - Throws: ``InformationBottleneckError/budgetUnreachable(budget:floor:)`` when even the smallest model is over budget.
    public static func compress(
        parent: KeywordClassifier, parentName: String, features: Tensor, settings: CompressionSettings,
        progress: (String, Int, Int, Double) -> Void = { _, _, _, _ in }
    ) throws -> CompressionResult {
        let job = try KWSCompression(parent: parent, parentName: parentName, features: features, settings: settings)
        _ = try job.run(stopSignal: StopSignal(signals: [])) { phase, done, total, metrics in progress(phase, done, total, metrics["loss"] ?? 0) }
        return try job.result()
    }

    /// The units to keep. Gates that are off (`ln α < 0`) go (a group keeps at least its strongest unit, the network
    /// its strongest layer); then, while the multiply-adds are over `budget ×` the parent's, the weakest attention
    /// head, feed-forward or bottleneck unit (smallest `ln α`), and a whole Transformer layer (the weakest) only when
    /// no such unit is left to remove; last, removed units whose gate is on come back, strongest first, while they fit
    /// (a dropped layer usually frees room), and then dropped layers, strongest first (with all their heads and
    /// feed-forward units, else those whose gate is on), while they fit: the budget is spent, as
    /// ``SeparatorCompression/select(gated:budget:)`` does.
    /// - Throws: ``InformationBottleneckError/budgetUnreachable(budget:floor:)``.
    public static func select(gated: GatedKeywordNetwork, budget: Double) throws(InformationBottleneckError) -> KWSUnitSelection {
        let c = gated.network.configuration
        let limit = budget * Double(c.multiplyAccumulatesPerWindow)
        let layerAlpha = gated.layerGates.logAlpha, ffnAlpha = gated.feedForwardGates.map(\.logAlpha), headAlpha = gated.headGates.map(\.logAlpha)
        let bottleneckAlpha = gated.bottleneckGates.logAlpha
        func on(_ alpha: [Float]) -> [Int] {
            let kept = alpha.indices.filter { alpha[$0] >= 0 }
            return kept.isEmpty ? [alpha.indices.max { alpha[$0] < alpha[$1] }!] : kept
        }
        func cost(_ s: KWSUnitSelection) -> Double { Double(s.configuration(from: c).multiplyAccumulatesPerWindow) }
        var selection = KWSUnitSelection(keepingAllOf: c)
        let strongest = layerAlpha.indices.max { layerAlpha[$0] < layerAlpha[$1] }
        selection.layers = layerAlpha.indices.filter { layerAlpha[$0] >= 0 || $0 == strongest }
        selection.heads = headAlpha.map(on)
        selection.feedForward = ffnAlpha.map(on)
        selection.bottleneck = on(bottleneckAlpha)
        enum Unit { case head(Int, Int), feedForward(Int, Int), bottleneck(Int) }
        while cost(selection) > limit {
            var weakest: (alpha: Float, unit: Unit)?
            func consider(_ alpha: Float, _ unit: Unit) { if weakest == nil || alpha < weakest!.alpha { weakest = (alpha, unit) } }
            for layer in selection.layers where selection.feedForward[layer].count > 1 {
                for u in selection.feedForward[layer] { consider(ffnAlpha[layer][u], .feedForward(layer, u)) }
            }
            for layer in selection.layers where selection.heads[layer].count > 1 {
                for h in selection.heads[layer] { consider(headAlpha[layer][h], .head(layer, h)) }
            }
            if selection.bottleneck.count > 1 { for u in selection.bottleneck { consider(bottleneckAlpha[u], .bottleneck(u)) } }
            switch weakest?.unit {
            case .head(let l, let h): selection.heads[l].removeAll { $0 == h }
            case .feedForward(let l, let u): selection.feedForward[l].removeAll { $0 == u }
            case .bottleneck(let u): selection.bottleneck.removeAll { $0 == u }
            case nil:
                guard let layer = selection.layers.min(by: { layerAlpha[$0] < layerAlpha[$1] }) else {
                    throw .budgetUnreachable(budget: budget, floor: cost(selection) / Double(c.multiplyAccumulatesPerWindow))
                }
                selection.layers.removeAll { $0 == layer }
            }
        }
        // Refill: removed units that are on, strongest first, while the budget allows.
        var returning: [(alpha: Float, unit: Unit)] = []
        for layer in selection.layers {
            for h in headAlpha[layer].indices where headAlpha[layer][h] >= 0 && !selection.heads[layer].contains(h) {
                returning.append((headAlpha[layer][h], .head(layer, h)))
            }
            for u in ffnAlpha[layer].indices where ffnAlpha[layer][u] >= 0 && !selection.feedForward[layer].contains(u) {
                returning.append((ffnAlpha[layer][u], .feedForward(layer, u)))
            }
        }
        for u in bottleneckAlpha.indices where bottleneckAlpha[u] >= 0 && !selection.bottleneck.contains(u) {
            returning.append((bottleneckAlpha[u], .bottleneck(u)))
        }
        for candidate in returning.sorted(by: { $0.alpha > $1.alpha }) {
            var trial = selection
            switch candidate.unit {
            case .head(let l, let h): trial.heads[l] = (trial.heads[l] + [h]).sorted()
            case .feedForward(let l, let u): trial.feedForward[l] = (trial.feedForward[l] + [u]).sorted()
            case .bottleneck(let u): trial.bottleneck = (trial.bottleneck + [u]).sorted()
            }
            if cost(trial) <= limit { selection = trial }
        }
        // Dropped layers come back, strongest first, with all their feed-forward units, else with those whose gate is
        // on, while they fit: a long gate phase can push every layer's gate off although the budget holds some (the
        // expected cost counts a layer by its keep probability, the selection all or nothing).
        for layer in layerAlpha.indices.sorted(by: { layerAlpha[$0] > layerAlpha[$1] }) where !selection.layers.contains(layer) {
            for (heads, units) in [(Array(headAlpha[layer].indices), Array(ffnAlpha[layer].indices)), (on(headAlpha[layer]), on(ffnAlpha[layer]))] {
                var trial = selection
                trial.layers = (trial.layers + [layer]).sorted()
                (trial.heads[layer], trial.feedForward[layer]) = (heads, units)
                if cost(trial) <= limit { selection = trial; break }
            }
        }
        return selection
    }
}
