import NN
import TensorCore

/// The reference's `OffsetScale`: `heads` affine copies of one tensor, `h_i = z ⊙ gamma[i] + beta[i]`.
/// Keys `gamma`, `beta` `[heads, Q]` (gamma initialised N(0, 0.02²), beta zeros).
///
/// Shapes: `[B, S, Q] -> heads × [B, S, Q]`.
final class OffsetScale: Layer {
    let gamma: Tensor
    let beta: Tensor
    var isTraining = true

    init(heads: Int, features: Int, rng: inout SplitMix64) {
        gamma = Tensor.randomNormal([heads, features], standardDeviation: 0.02, using: &rng, requiresGrad: true)
        beta = Tensor.zeros([heads, features], requiresGrad: true)
    }

    var localParameters: [(name: String, tensor: Tensor)] { [("gamma", gamma), ("beta", beta)] }

    func callAsFunction(_ z: Tensor) -> [Tensor] {
        let heads = gamma.shape[0], q = gamma.shape[1]
        return (0..<heads).map { i in
            z * gamma.sliced(axis: 0, i..<i + 1).reshaped([q]) + beta.sliced(axis: 0, i..<i + 1).reshaped([q])
        }
    }
}
