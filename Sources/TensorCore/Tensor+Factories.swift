extension Tensor {
    /// A tensor of zeros.
    /// - Parameters:
    ///   - shape: the dimensions.
    ///   - requiresGrad: whether this leaf collects a gradient.
    public static func zeros(_ shape: Shape, requiresGrad: Bool = false) -> Tensor {
        Tensor([Float](repeating: 0, count: shape.count), shape: shape, requiresGrad: requiresGrad)
    }

    /// A tensor whose elements are unspecified (no zero fill): an output buffer for the `into:` kernels of
    /// ``Inference``, which overwrite every element.
    public static func uninitialized(_ shape: Shape) -> Tensor {
        Tensor([Float](unsafeUninitializedCapacity: shape.count) { _, n in n = shape.count }, shape: shape)
    }

    /// A tensor of ones.
    /// - Parameters:
    ///   - shape: the dimensions.
    ///   - requiresGrad: whether this leaf collects a gradient.
    public static func ones(_ shape: Shape, requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 1, requiresGrad: requiresGrad)
    }

    /// A tensor filled with one value.
    /// - Parameters:
    ///   - shape: the dimensions.
    ///   - value: the fill value.
    ///   - requiresGrad: whether this leaf collects a gradient.
    public static func full(_ shape: Shape, value: Float, requiresGrad: Bool = false) -> Tensor {
        Tensor([Float](repeating: value, count: shape.count), shape: shape, requiresGrad: requiresGrad)
    }

    /// `[0, 1, …, count-1]` as a `[count]` tensor.
    /// - Parameter count: the number of elements.
    public static func arange(_ count: Int) -> Tensor {
        Tensor((0..<count).map { Float($0) }, shape: [count])
    }

    /// Normal samples `N(mean, standardDeviation²)`.
    /// - Parameters:
    ///   - shape: the dimensions.
    ///   - mean: the mean.
    ///   - standardDeviation: the standard deviation.
    ///   - rng: the seeded generator.
    ///   - requiresGrad: whether this leaf collects a gradient.
    public static func randomNormal(
        _ shape: Shape, mean: Float = 0, standardDeviation: Float = 1, using rng: inout SplitMix64,
        requiresGrad: Bool = false
    ) -> Tensor {
        var values = [Float](repeating: 0, count: shape.count)
        for i in values.indices { values[i] = mean + standardDeviation * rng.nextNormal() }
        return Tensor(values, shape: shape, requiresGrad: requiresGrad)
    }

    /// Uniform samples in `[low, high)`.
    /// - Parameters:
    ///   - shape: the dimensions.
    ///   - low: the lower bound.
    ///   - high: the upper bound.
    ///   - rng: the seeded generator.
    ///   - requiresGrad: whether this leaf collects a gradient.
    public static func randomUniform(
        _ shape: Shape, low: Float = 0, high: Float = 1, using rng: inout SplitMix64, requiresGrad: Bool = false
    ) -> Tensor {
        var values = [Float](repeating: 0, count: shape.count)
        for i in values.indices { values[i] = low + (high - low) * rng.nextUniform() }
        return Tensor(values, shape: shape, requiresGrad: requiresGrad)
    }

    /// A one-hot matrix `[indices.count, classes]` with `onValue` at `(i, indices[i])` and `offValue` elsewhere.
    /// - Parameters:
    ///   - indices: class indices in `0..<classes`.
    ///   - classes: the number of classes.
    ///   - onValue: the value at the index (default 1).
    ///   - offValue: the value elsewhere (default 0).
    public static func oneHot(_ indices: [Int], classes: Int, onValue: Float = 1, offValue: Float = 0) -> Tensor {
        var values = [Float](repeating: offValue, count: indices.count * classes)
        for (row, c) in indices.enumerated() {
            precondition(c >= 0 && c < classes, "oneHot: index \(c) out of 0..<\(classes)")
            values[row * classes + c] = onValue
        }
        return Tensor(values, shape: [indices.count, classes])
    }
}
