import Foundation
import NN
import TensorCore

/// The reference's `ScaledSinuEmbedding`: `pe[t] = [sin(t·ω) ; cos(t·ω)] · scale` with `ω = inv_freq [D/2]`
/// (a saved buffer) and one learned `scale` (init 1); angles are formed in Float32 as in PyTorch.
///
/// Shapes: `length -> [length, D]`.
final class ScaledSinusoidalEmbedding: Layer {
    let scale: Tensor
    let inverseFrequencies: Tensor
    var isTraining = true

    init(dims: Int) {
        scale = Tensor.ones([1], requiresGrad: true)
        inverseFrequencies = Tensor(Tensor.inverseFrequencies(dims: dims), shape: [dims / 2])
    }

    var localParameters: [(name: String, tensor: Tensor)] { [("scale", scale)] }
    var localBuffers: [(name: String, tensor: Tensor)] { [("inv_freq", inverseFrequencies)] }

    /// The unscaled table of the last length seen by the autograd path (recomputed when the length changes); the
    /// inference path keeps its own in the caller's ``MossFormer2Workspace``, so inference never writes here.
    private var cachedTable: (length: Int, values: [Float])?

    func callAsFunction(length: Int) -> Tensor {
        callAsFunction(length: length, cache: &cachedTable)
    }

    /// The table for `0 ..< length`, reusing `cache` when it holds that length (else refilling it).
    func callAsFunction(length: Int, cache: inout (length: Int, values: [Float])?) -> Tensor {
        let half = inverseFrequencies.count
        if let cache, cache.length == length {
            return Tensor(cache.values, shape: [length, 2 * half]) * scale
        }
        let inv = inverseFrequencies.scalars
        var table = [Float](repeating: 0, count: length * 2 * half)
        for t in 0..<length {
            for j in 0..<half {
                let angle = Double(Float(t) * inv[j])
                table[t * 2 * half + j] = Float(sin(angle))
                table[t * 2 * half + half + j] = Float(cos(angle))
            }
        }
        cache = (length, table)
        return Tensor(table, shape: [length, 2 * half]) * scale
    }
}
