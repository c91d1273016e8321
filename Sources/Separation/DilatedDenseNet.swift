import NN
import TensorCore

/// The FSMN memory of MossFormer2 (the reference's `DilatedDenseNet`, depth 2): per-channel convolutions over time
/// with kernel `2L - 1`, dilations 1 and 2, symmetric zero padding; each followed by an affine InstanceNorm over the
/// utterance and a per-channel PReLU. The second layer reads the concatenation `[o1 ; p]` with `F` groups of 2
/// channels (group `c` reads concatenated channels `2c, 2c+1`, PyTorch grouped-conv semantics).
///
/// Keys: `conv1.weight [F, 1, 2L-1, 1]`, `norm1`, `prelu1`, `conv2.weight [F, 2, 2L-1, 1]`, `norm2`, `prelu2`.
/// Shapes: `[B, F, S] -> [B, F, S]`.
final class DilatedDenseNet: UnaryLayer {
    let conv1: Conv1d, norm1: InstanceNorm, prelu1: PReLU
    let conv2: Conv1d, norm2: InstanceNorm, prelu2: PReLU
    var isTraining = true

    init(channels f: Int, lorder: Int, rng: inout SplitMix64) {
        let kernel = 2 * lorder - 1
        conv1 = Conv1d(
            inputChannels: f, outputChannels: f, kernelSize: kernel, padding: .explicit(left: lorder - 1, right: lorder - 1),
            groups: f, bias: false, weightHasTrailingUnitAxis: true, rng: &rng)
        // Dilation 2: padding lorder + (2 - 1)(lorder - 1) - 1 = 2(lorder - 1).
        conv2 = Conv1d(
            inputChannels: 2 * f, outputChannels: f, kernelSize: kernel,
            padding: .explicit(left: 2 * (lorder - 1), right: 2 * (lorder - 1)), dilation: 2, groups: f, bias: false,
            weightHasTrailingUnitAxis: true, rng: &rng)
        norm1 = InstanceNorm(channels: f)
        norm2 = InstanceNorm(channels: f)
        prelu1 = PReLU(parameterCount: f)
        prelu2 = PReLU(parameterCount: f)
    }

    var children: [(name: String, layer: any Layer)] {
        [("conv1", conv1), ("norm1", norm1), ("prelu1", prelu1), ("conv2", conv2), ("norm2", norm2), ("prelu2", prelu2)]
    }

    func callAsFunction(_ p: Tensor) -> Tensor {
        let o1 = prelu1(norm1(conv1(p)))
        return prelu2(norm2(conv2(Tensor.concatenated([o1, p], axis: 1))))
    }
}
