import NN
import TensorCore

/// The rotary position embedding shared by the attention layers (rotary-embedding-torch 0.8.3, interleaved pairs),
/// applied to the first `dims` features along the absolute frame index. Its frequency table is a fixed buffer saved
/// under `freqs [dims/2]` in every layer, as in the reference.
///
/// Shapes: `[B, S, Q] -> [B, S, Q]`.
final class RotaryEmbedding: Layer {
    let dims: Int
    let freqs: Tensor
    var isTraining = true

    init(dims: Int) {
        self.dims = dims
        freqs = Tensor(Tensor.inverseFrequencies(dims: dims), shape: [dims / 2])
    }

    var localBuffers: [(name: String, tensor: Tensor)] { [("freqs", freqs)] }

    func callAsFunction(_ x: Tensor) -> Tensor { x.rotaryEmbedding(rotaryDims: dims) }
}
