import TensorCore

/// Numeric comparisons for tensor tests.
public enum TensorAssertions {
    /// The largest `|a − b| / max(1, |b|)` over two equally long arrays (infinity if the lengths differ or a
    /// NaN appears).
    public static func maxRelativeError(_ a: [Float], _ b: [Float]) -> Double {
        guard a.count == b.count else { return .infinity }
        var worst = 0.0
        for i in a.indices {
            let d = Swift.abs(Double(a[i]) - Double(b[i])) / Swift.max(1, Swift.abs(Double(b[i])))
            if d.isNaN { return .infinity }
            worst = Swift.max(worst, d)
        }
        return worst
    }

    /// Random values in `[low, high)` from a seed.
    public static func randomValues(_ count: Int, low: Float = -1, high: Float = 1, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in low + (high - low) * rng.nextUniform() }
    }

    /// A random leaf tensor in `[low, high)` from a seed.
    public static func randomTensor(_ shape: Shape, low: Float = -1, high: Float = 1, seed: UInt64, requiresGrad: Bool = true) -> Tensor {
        Tensor(randomValues(shape.count, low: low, high: high, seed: seed), shape: shape, requiresGrad: requiresGrad)
    }
}
