import TensorCore

/// The tensor surgery of structured pruning: kept rows or columns of a parent's weights, each optionally times a
/// folded gate mean.
public enum PrunedTensors {
    /// Rows `indices` of `t` (`[R, ...]` -> `[indices.count, ...]`), each times its scale.
    public static func rows(_ t: Tensor, _ indices: [Int], scales: [Float]? = nil) -> Tensor {
        let dims = t.shape.dims, width = dims.dropFirst().reduce(1, *), values = t.scalars
        var out: [Float] = []
        out.reserveCapacity(indices.count * width)
        for (k, r) in indices.enumerated() {
            let s = scales?[k] ?? 1
            out += values[(r * width)..<((r + 1) * width)].map { $0 * s }
        }
        return Tensor(out, shape: Shape([indices.count] + dims.dropFirst()))
    }

    /// Columns `indices` of a matrix `[R, C]` -> `[R, indices.count]`, each times its scale.
    public static func columns(_ t: Tensor, _ indices: [Int], scales: [Float]?) -> Tensor {
        let r = t.shape.dims[0], c = t.shape.dims[1], values = t.scalars
        var out = [Float](repeating: 0, count: r * indices.count)
        for row in 0..<r {
            for (k, column) in indices.enumerated() { out[row * indices.count + k] = values[row * c + column] * (scales?[k] ?? 1) }
        }
        return Tensor(out, shape: [r, indices.count])
    }

    public static func scaled(_ t: Tensor, _ s: Float) -> Tensor { Tensor(t.scalars.map { $0 * s }, shape: t.shape) }
}
