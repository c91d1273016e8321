import NN
import TensorCore

/// The FSMN unit inside a gated FSMN block (the reference's `UniDeepFsmn_dilated`):
/// `m = a + DilatedDenseNet(project(relu(linear(a))))`. Keys `linear`, `project` (no bias), `conv`.
///
/// Shapes: `[B, S, F] -> [B, S, F]`.
final class DilatedFSMN: UnaryLayer {
    let linear: Linear
    let project: Linear
    let conv: DilatedDenseNet
    var isTraining = true
    var trace: ((String, Tensor) -> Void)?

    /// - Parameters: `f` channels, `hidden` units between `linear` and `project` (the reference: `f`).
    init(channels f: Int, hidden: Int, lorder: Int, rng: inout SplitMix64) {
        linear = Linear(inputFeatures: f, outputFeatures: hidden, rng: &rng)
        project = Linear(inputFeatures: hidden, outputFeatures: f, bias: false, rng: &rng)
        conv = DilatedDenseNet(channels: f, lorder: lorder, rng: &rng)
    }

    var children: [(name: String, layer: any Layer)] { [("linear", linear), ("project", project), ("conv", conv)] }

    func callAsFunction(_ a: Tensor) -> Tensor { callAsFunction(a, hiddenGate: nil) }

    /// The unit with its hidden units scaled by `gate [B or 1, 1, H]` (nil: none).
    func callAsFunction(_ a: Tensor, hiddenGate gate: Tensor?) -> Tensor {
        let hidden = linear(a).relu()
        let memory = conv(project(gate.map { hidden * $0 } ?? hidden).transposed(1, 2))   // [B, F, S]
        trace?("fsmn.gated_fsmn.fsmn.dense.out", memory)
        return a + memory.transposed(1, 2)
    }
}

/// One gated FSMN block of MossFormer2 (the reference's `Gated_FSMN_Block_Dilated`): bottleneck 1×1 conv D→F with
/// PReLU, per-frame LayerNorm, the gated unit `to_v(n) ⊙ fsmn(to_u(n)) + n`, LayerNorm, 1×1 conv F→D, residual.
///
/// Keys: `conv1.0`, `conv1.1` (PReLU), `norm1`, `gated_fsmn.{to_u,to_v,fsmn}`, `norm2`, `conv2`.
/// Shapes: `[B, S, D] -> [B, S, D]`.
final class GatedFSMNBlock: UnaryLayer {
    let bottleneck: Conv1d
    let bottleneckActivation: PReLU
    let norm1: LayerNorm
    let toU: FFConvM
    let toV: FFConvM
    let fsmn: DilatedFSMN
    let norm2: LayerNorm
    let output: Conv1d
    var isTraining = true
    var trace: ((String, Tensor) -> Void)? {
        didSet { fsmn.trace = trace }
    }

    /// Block `block`'s FSMN block (its hidden width from ``MossFormer2Configuration/fsmnHiddenDim(block:)``).
    init(configuration c: MossFormer2Configuration, block: Int, dropout: Float, rng: inout SplitMix64) {
        let d = c.mossformerSequenceDim, f = c.fsmnInnerChannels
        bottleneck = Conv1d(inputChannels: d, outputChannels: f, kernelSize: 1, rng: &rng)
        bottleneckActivation = PReLU()
        norm1 = LayerNorm(features: f)
        toU = FFConvM(inputFeatures: f, outputFeatures: f, norm: .layer, kernelSize: c.convKernelSize, dropout: dropout, rng: &rng)
        toV = FFConvM(inputFeatures: f, outputFeatures: f, norm: .layer, kernelSize: c.convKernelSize, dropout: dropout, rng: &rng)
        fsmn = DilatedFSMN(channels: f, hidden: c.fsmnHiddenDim(block: block), lorder: c.fsmnLorder, rng: &rng)
        norm2 = LayerNorm(features: f)
        output = Conv1d(inputChannels: f, outputChannels: d, kernelSize: 1, rng: &rng)
    }

    var children: [(name: String, layer: any Layer)] {
        [("conv1", LayerGroup([("0", bottleneck), ("1", bottleneckActivation)])), ("norm1", norm1),
         ("gated_fsmn", LayerGroup([("to_u", toU), ("to_v", toV), ("fsmn", fsmn)])), ("norm2", norm2), ("conv2", output)]
    }

    func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, gates: nil) }

    /// The block with optional structural gates (``MossFormer2BlockGates``: `fsmnHidden` scales the FSMN unit's
    /// hidden units, `block` the residual branch).
    func callAsFunction(_ x: Tensor, gates: MossFormer2BlockGates?) -> Tensor {
        // The 1×1 convs run as Linear layers on frames-first data (the same weights, no transposes).
        let squeezed = bottleneckActivation(pointwise(bottleneck, x))          // [B, S, F]
        trace?("fsmn.conv1.out", squeezed.transposed(1, 2))
        let n = norm1(squeezed)                                               // [B, S, F]
        trace?("fsmn.norm1.out", n.transposed(1, 2))
        let a = toU(n), gate = toV(n)
        trace?("fsmn.gated_fsmn.to_u.out", a)
        trace?("fsmn.gated_fsmn.to_v.out", gate)
        let m = fsmn(a, hiddenGate: gates?.fsmnHidden)
        trace?("fsmn.gated_fsmn.fsmn.out", m)
        let unit = gate * m + n
        trace?("fsmn.gated_fsmn.out", unit)
        let normed = norm2(unit)                                              // [B, S, F]
        trace?("fsmn.norm2.out", normed.transposed(1, 2))
        let branch = pointwise(output, normed)
        return (gates?.block.map { branch * $0 } ?? branch) + x
    }

    /// A 1×1 `Conv1d` (`weight [out, in, 1]`) applied to frames-first `[B, S, in]` as a Linear: `[B, S, out]`.
    private func pointwise(_ conv: Conv1d, _ x: Tensor) -> Tensor {
        Tensor.linear(x, weight: conv.weight.reshaped([conv.weight.shape[0], conv.weight.shape[1]]), bias: conv.bias)
    }
}
