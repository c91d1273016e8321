import TensorCore

/// The run-time state of MossFormer2's fused inference path, owned by the caller (whisper.cpp's context/state split,
/// mlx's KV cache): frames-first scratch rows for one batch item, grown when a longer input arrives and reused
/// across calls, so the steady state allocates nothing, and the position tables of the last length. The model holds
/// only weights and is never written by inference, so one loaded ``MossFormer2Separator`` serves any number of
/// streams or threads, each with a workspace of its own; a workspace serves one call at a time (not `Sendable`).
///
/// ```swift
/// let model = try MossFormer2Separator(directory: "Models/mossformer2-8k")
/// let workspace = model.makeWorkspace()              // one per stream or thread
/// for window in windows { consume(model.separate(window, workspace: workspace)) }   // [C][n] each
/// ```
///
/// Scratch shapes (`S` frames): `stream [S, D]` (the residual stream, updated in place by every block); attention:
/// `normed [S, 2D]`, `hidden [S, 4D]` (v | u), `attention [S, 4D]` (att_v | att_u), `z [S, Q]`,
/// `heads [4, S, Q]` (quad_q, lin_q, quad_k, lin_k), `gated [S, 2D]`; FSMN: ten `[S, F]` and four `[S, 2F]` rows.
/// With per-block widths (a compressed model), `2D`, `Q` and the FSMN hidden rows take the largest block's widths.
public final class MossFormer2Workspace {
    /// The sizes the buffers are laid out for; only a model of this configuration may use the workspace.
    public let configuration: MossFormer2Configuration
    /// `D`, `F`, `g`, and the largest per-block widths: `Q`, `E` (of `v` and of `u`) and `H` (FSMN hidden).
    let d: Int, q: Int, f: Int, e: Int, h: Int, groupSize: Int
    private(set) var frames = 0
    private var capacity = 0
    private var arena: UnsafeMutablePointer<Float>
    /// Taps-first conv weights made per call (so they never go stale after a training step): `[K, max(2E, Q, D, 2F)]`.
    let taps: UnsafeMutablePointer<Float>
    /// The dilated memory's taps-first weights: `[2L−1, F]` and `[2L−1, 2F]` (group inputs side by side).
    let denseTaps1: UnsafeMutablePointer<Float>, denseTaps2: UnsafeMutablePointer<Float>
    /// to_u and to_v as one Linear `[2F, F]` with their LayerNorm affines folded in, and its bias `[2F]`.
    let weightUV: UnsafeMutablePointer<Float>, biasUV: UnsafeMutablePointer<Float>
    /// The linear attention's `lin_kᵀ·[v | u] / S`, `[Q, 2E]`.
    let keyValues: UnsafeMutablePointer<Float>
    /// One `[g, g]` attention matrix per worker.
    let scores: UnsafeMutablePointer<Float>
    let workers: Int
    private let smallCount: Int

    /// The unscaled sinusoidal position table of the last length, `[S, D]` (``ScaledSinusoidalEmbedding``).
    var positionTable: (length: Int, values: [Float])?
    /// The rotary tables of the last length (shared by every attention layer).
    var rotaryTables: RotaryTables?

    /// Buffers for a model of `configuration` (sized for its largest per-block widths); the scratch rows are
    /// allocated on first use, for the input's length. The attention's per-worker scores are sized for
    /// ``Threading/elementwiseThreads`` at this moment.
    public init(configuration c: MossFormer2Configuration) {
        configuration = c
        let blocks = 0..<c.numMossformerLayer
        d = c.mossformerSequenceDim; f = c.fsmnInnerChannels; groupSize = c.groupSize
        q = blocks.map { c.queryKeyDim(block: $0) }.max() ?? c.queryKeyDim
        e = blocks.map { c.attentionHiddenDim(block: $0) }.max() ?? 2 * d
        h = blocks.map { c.fsmnHiddenDim(block: $0) }.max() ?? f
        workers = Swift.max(1, Threading.elementwiseThreads)
        let kernel = c.convKernelSize, dense = 2 * c.fsmnLorder - 1
        let sizes = [kernel * Swift.max(2 * e, q, d, 2 * f), dense * f, dense * 2 * f, 2 * f * f, 2 * f, q * 2 * e,
                     workers * groupSize * groupSize]
        smallCount = sizes.reduce(0, +)
        var p = UnsafeMutablePointer<Float>.allocate(capacity: smallCount)
        taps = p; p += sizes[0]
        denseTaps1 = p; p += sizes[1]
        denseTaps2 = p; p += sizes[2]
        weightUV = p; p += sizes[3]
        biasUV = p; p += sizes[4]
        keyValues = p; p += sizes[5]
        scores = p
        arena = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    }

    deinit {
        taps.deallocate()
        arena.deallocate()
    }

    /// Floats per frame of the scratch arena: the larger of the attention's and the FSMN's needs.
    private var scratchPerFrame: Int { Swift.max(Swift.max(d, e) + 2 * Swift.max(2 * e, d, q) + e + 5 * q, 17 * f + Swift.max(f, h)) }

    /// Makes room for `frames` frames (allocates only when the arena must grow).
    func prepare(frames: Int) {
        let needed = frames * (d + scratchPerFrame)
        if needed > capacity {
            arena.deallocate()
            arena = UnsafeMutablePointer<Float>.allocate(capacity: needed)
            capacity = needed
        }
        self.frames = frames
    }

    /// The residual stream `[S, D]`.
    var stream: UnsafeMutablePointer<Float> { arena }

    /// The attention layer's buffers for the prepared frame count.
    var attention: AttentionBuffers {
        let s = frames
        var p = arena + s * d
        func take(_ width: Int) -> UnsafeMutablePointer<Float> { defer { p += s * width }; return p }
        let wide = Swift.max(2 * e, d, q)   // v | u, and the scratch of to_qk's and to_out's fused FFConvM
        return AttentionBuffers(normed: take(Swift.max(d, e)), hidden: take(wide), attention: take(wide), z: take(q),
                                heads: take(4 * q), gated: take(e))
    }

    /// The FSMN block's buffers for the prepared frame count.
    var fsmn: FSMNBuffers {
        let s = frames
        var p = arena + s * d
        func take(_ width: Int) -> UnsafeMutablePointer<Float> { defer { p += s * width }; return p }
        return FSMNBuffers(squeezed: take(f), normed: take(f), standardized: take(f), hidden: take(Swift.max(f, h)), projected: take(f),
                           memory1: take(f), activated1: take(f), memory2: take(f), unit: take(f), normed2: take(f),
                           uv: take(2 * f), uvScratch: take(2 * f), pairs: take(2 * f), pairSums: take(2 * f))
    }

    struct AttentionBuffers {
        let normed, hidden, attention, z, heads, gated: UnsafeMutablePointer<Float>
    }

    struct FSMNBuffers {
        let squeezed, normed, standardized, hidden, projected, memory1, activated1, memory2, unit, normed2: UnsafeMutablePointer<Float>
        let uv, uvScratch, pairs, pairSums: UnsafeMutablePointer<Float>
    }

    /// A copy of `rows × cols` values (row stride `ld`) as a `[1, rows, cols]` tensor, for traces.
    static func tensor(_ p: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int) -> Tensor {
        var values = [Float](repeating: 0, count: rows * cols)
        for r in 0..<rows { for c in 0..<cols { values[r * cols + c] = p[r * ld + c] } }
        return Tensor(values, shape: [1, rows, cols])
    }
}
