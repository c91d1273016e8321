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

    /// The angle tables of the last length seen by the autograd path (every head of every call at one length
    /// shares them); the inference path keeps its own in the caller's ``MossFormer2Workspace``.
    private var tables: RotaryTables?

    func callAsFunction(_ x: Tensor) -> Tensor {
        x.rotaryEmbedding(tables(frames: x.shape[-2], cache: &tables))
    }

    /// The cos/sin tables for positions `0 ..< frames`, reusing `cache` when it holds them (else refilling it).
    func tables(frames: Int, cache: inout RotaryTables?) -> RotaryTables {
        if let cache, cache.frames == frames, cache.rotaryDims == dims { return cache }
        let made = Tensor.rotaryTables(frames: frames, rotaryDims: dims)
        cache = made
        return made
    }
}
