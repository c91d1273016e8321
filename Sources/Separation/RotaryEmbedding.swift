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

    /// The angle tables of the last length seen (every head of every call at one length shares them).
    private var tables: RotaryTables?

    func callAsFunction(_ x: Tensor) -> Tensor {
        x.rotaryEmbedding(tables(frames: x.shape[-2]))
    }

    /// The cos/sin tables for positions `0 ..< frames` (cached for the last length).
    func tables(frames: Int) -> RotaryTables {
        if let tables, tables.frames == frames { return tables }
        let made = Tensor.rotaryTables(frames: frames, rotaryDims: dims)
        tables = made
        return made
    }
}
