import NN
import Separation
import TensorCore

/// A MossFormer2 separator with ``StructuralGates`` on its prunable units, for `sepkws compress`:
///
/// - **blocks**: one gate per block (attention layer and FSMN block together) scaling both residual branches. Its
///   mean stays 1 (the attention branch ends in a SiLU and a residual depthwise conv, where no scale folds into the
///   weights), so only its noise is learned;
/// - **query/key channels** of each attention layer beyond the rotary ones (the rotary pairs keep their fixed
///   frequencies): a gate on both query heads' feature;
/// - **expansion units** of each attention layer (`v_e`, `u_e` and to_out's column `e`), after to_out's ScaleNorm;
/// - **FSMN hidden units** of each block (`linear`'s outputs, `project`'s inputs).
///
/// The channels `D`, `N` and the FSMN width `F` are not pruned: ScaleNorm, LayerNorms, the token shift and the
/// dense memory's pairing of channels `2c, 2c+1` tie every one of them to the others.
///
/// Shapes: mixtures `[B, T]` -> estimates `[B, C, T]`.
public final class GatedSeparator: Layer {
    /// The network being compressed (trained together with the gates).
    public let network: MossFormer2Separator
    /// One gate per block (mean fixed at 1).
    public let blockGates: StructuralGates
    /// Per block, one gate per query/key channel `rotary..<Q_i`.
    public let queryKeyGates: [StructuralGates]
    /// Per block, one gate per expansion unit `0..<E_i`.
    public let hiddenGates: [StructuralGates]
    /// Per block, one gate per FSMN hidden unit `0..<H_i`.
    public let fsmnHiddenGates: [StructuralGates]
    public var isTraining = true

    /// Gates (all on) around `network`.
    public init(network: MossFormer2Separator) {
        self.network = network
        let c = network.configuration, blocks = 0..<c.numMossformerLayer
        blockGates = StructuralGates(name: "blocks", units: c.numMossformerLayer, learnsMean: false)
        queryKeyGates = blocks.map { StructuralGates(name: "query_key.\($0)", units: c.queryKeyDim(block: $0) - c.rotaryDims) }
        hiddenGates = blocks.map { StructuralGates(name: "hidden.\($0)", units: c.attentionHiddenDim(block: $0)) }
        fsmnHiddenGates = blocks.map { StructuralGates(name: "fsmn_hidden.\($0)", units: c.fsmnHiddenDim(block: $0)) }
    }

    /// Every gate group.
    public var gates: [StructuralGates] { [blockGates] + queryKeyGates + hiddenGates + fsmnHiddenGates }

    public var children: [(name: String, layer: any Layer)] { [("network", network)] }

    /// The gates' tensors (means included, trained or not, so a checkpoint restores them).
    public var localParameters: [(name: String, tensor: Tensor)] { gates.flatMap(\.namedParameters).map { (name: $0.0, tensor: $0.1) } }

    public var localBuffers: [(name: String, tensor: Tensor)] {
        gates.filter { !$0.learnsMean }.map { (name: "gates.\($0.name).mean", tensor: $0.mean) }
    }

    /// Estimates through the gates: sampled gates when `noiseSeed` is given (training), gate means otherwise.
    /// - Parameter mixtures: `[B, T]`.
    /// - Returns: `[B, C, T]`.
    public func callAsFunction(_ mixtures: Tensor, noiseSeed: UInt64?) -> Tensor {
        network(mixtures, gates: blockGateValues(batch: mixtures.shape[0], noiseSeed: noiseSeed))
    }

    /// The per-block gate tensors for a batch of `batch` (``MossFormer2BlockGates``).
    public func blockGateValues(batch: Int, noiseSeed: UInt64?) -> [MossFormer2BlockGates] {
        var rng: SplitMix64? = noiseSeed.map { SplitMix64(seed: $0) }
        let rotary = network.configuration.rotaryDims
        let blocks = blockGates.values(batch: batch, noise: &rng)                      // [B or 1, R]
        let rows = blocks.shape[0]
        return (0..<blockGates.count).map { i in
            var queryKey: Tensor?
            if queryKeyGates[i].count > 0 {
                let values = queryKeyGates[i].values(batch: batch, noise: &rng)          // [B or 1, Q_i - rotary]
                let full = rotary > 0 ? Tensor.concatenated([Tensor.ones([values.shape[0], rotary]), values], axis: 1) : values
                queryKey = full.reshaped([full.shape[0], 1, full.shape[1]])
            }
            let hidden = hiddenGates[i].values(batch: batch, noise: &rng)
            let fsmn = fsmnHiddenGates[i].values(batch: batch, noise: &rng)
            return MossFormer2BlockGates(
                block: blocks.sliced(axis: 1, i..<(i + 1)).reshaped([rows, 1, 1]),
                queryKey: queryKey,
                hidden: hidden.reshaped([hidden.shape[0], 1, hidden.shape[1]]),
                fsmnHidden: fsmn.reshaped([fsmn.shape[0], 1, fsmn.shape[1]]))
        }
    }

    /// The multiply-adds of one second of audio expected under the gates' keep probabilities
    /// (``StructuralGates/keepProbabilities()``) as a share of the ungated network's: a differentiable scalar,
    /// ``MossFormer2BlockCost`` per block with the expected widths (independent gates: `E[Q·E] = E[Q]·E[E]`).
    public func expectedCostShare() -> Tensor {
        let c = network.configuration, samples = c.sampleRate
        let cost = MossFormer2BlockCost(configuration: c, frames: c.frameCount(samples: samples))
        let full = Float(c.multiplyAdds(samples: samples)), rotary = Float(c.rotaryDims)
        var total = Tensor(Float(c.headMultiplyAdds(samples: samples)))
        let blockKeep = blockGates.keepProbabilities()
        for i in 0..<c.numMossformerLayer {
            let e = hiddenGates[i].keepProbabilities().sum()
            let q = queryKeyGates[i].count > 0 ? queryKeyGates[i].keepProbabilities().sum() + rotary : Tensor(rotary)
            let h = fsmnHiddenGates[i].keepProbabilities().sum()
            let block = e * Float(cost.perHidden) + q * Float(cost.perQueryKey) + q * e * Float(cost.perPair)
                + h * Float(cost.perFSMNHidden) + Float(cost.constant)
            total = total + blockKeep.sliced(axis: 0, i..<(i + 1)).reshaped([]) * block
        }
        return total * (1 / full)
    }

    /// The summed information cost of every gate.
    public func informationCost() -> Tensor {
        gates.filter { $0.count > 0 }.map { $0.informationCost() }.reduce(Tensor(0)) { $0 + $1 }
    }
}
