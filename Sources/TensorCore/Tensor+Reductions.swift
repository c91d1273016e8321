import RealModule

// Reductions over axes (sum, mean, variance, max, argmax) and softmax / log-softmax.
// A reduced axis is kept with size 1 when `keepDims` is true, else removed.

extension Tensor {
    /// Sums one axis into a `[outer, 1, inner]` layout.
    private func sumAxisValues(_ a: Int) -> [Float] {
        let (outer, size, inner) = shape.split(at: a)
        var out = [Float](repeating: 0, count: outer * inner)
        out.withUnsafeMutableBufferPointer { dst in
            withUnsafeBufferPointer { src in
                for o in 0..<outer {
                    if inner == 1 {
                        var s: Float = 0
                        for i in 0..<size { s = Relaxed.sum(s, src[o * size + i]) }
                        dst[o] = s
                    } else {
                        for i in 0..<size {
                            let base = (o * size + i) * inner
                            for j in 0..<inner { dst[o * inner + j] += src[base + j] }
                        }
                    }
                }
            }
        }
        return out
    }

    private func reducedShape(_ axes: [Int], keepDims: Bool) -> (keep: Shape, out: Shape) {
        var keep = shape.dims
        for a in axes { keep[a] = 1 }
        let out = keepDims ? keep : shape.dims.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        return (Shape(keep), Shape(out))
    }

    private func normalizedAxes(_ axes: [Int]) -> [Int] {
        Array(Set(axes.map { shape.normalizedAxis($0) })).sorted()
    }

    /// The sum of all elements, shape `[]`.
    public func sum() -> Tensor { sum(axes: Array(0..<rank)) }

    /// The sum over `axes` (`[B, C, T]`, axes `[2]` -> `[B, C]`, or `[B, C, 1]` with `keepDims`).
    /// - Parameters:
    ///   - axes: the axes to reduce (negative counts from the end).
    ///   - keepDims: keep reduced axes with size 1.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes)
        let (keep, outShape) = reducedShape(axes, keepDims: keepDims)
        var values = scalars
        var current = shape.dims
        for a in axes.reversed() {
            let t = Tensor(values, shape: Shape(current))
            values = t.sumAxisValues(a)
            current[a] = 1
        }
        let out = Tensor(values, shape: outShape)
        if Autograd.shouldRecord(self) {
            let inShape = shape
            out.record([self]) { g in [Tensor(storage: g.storage, shape: keep).expanded(to: inShape)] }
        }
        return out
    }

    /// The sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// The mean of all elements, shape `[]`.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// The mean over `axes`.
    /// - Parameters:
    ///   - axes: the axes to reduce.
    ///   - keepDims: keep reduced axes with size 1.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = normalizedAxes(axes).reduce(1) { $0 * shape.dims[$1] }
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// The mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// The variance over `axes`; biased (divides by `n`) unless `unbiased` (divides by `n - 1`).
    /// - Parameters:
    ///   - axes: the axes to reduce.
    ///   - unbiased: use Bessel's correction.
    ///   - keepDims: keep reduced axes with size 1.
    public func variance(axes: [Int], unbiased: Bool = false, keepDims: Bool = false) -> Tensor {
        let n = normalizedAxes(axes).reduce(1) { $0 * shape.dims[$1] }
        let centered = self - mean(axes: axes, keepDims: true)
        let denominator = Float(unbiased ? Swift.max(n - 1, 1) : Swift.max(n, 1))
        return centered.squared().sum(axes: axes, keepDims: keepDims) * (1 / denominator)
    }

    /// The maximum over one axis; the gradient goes to the first maximal element.
    /// - Parameters:
    ///   - axis: the axis to reduce.
    ///   - keepDims: keep the reduced axis with size 1.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = shape.normalizedAxis(axis)
        let (values, indices) = maxAndArgmax(a)
        let (keep, outShape) = reducedShape([a], keepDims: keepDims)
        let out = Tensor(values, shape: outShape)
        if Autograd.shouldRecord(self) {
            let inShape = shape
            let (outer, size, inner) = shape.split(at: a)
            out.record([self]) { g in
                var grad = [Float](repeating: 0, count: inShape.count)
                g.withUnsafeBufferPointer { gs in
                    for o in 0..<outer {
                        for j in 0..<inner {
                            grad[(o * size + indices[o * inner + j]) * inner + j] += gs[o * inner + j]
                        }
                    }
                }
                _ = keep
                return [Tensor(grad, shape: inShape)]
            }
        }
        return out
    }

    /// The maximum of all elements, shape `[]`.
    public func max() -> Tensor { reshaped([count]).max(axis: 0) }

    /// The index of the first maximum along `axis` (no gradient), e.g. `[B, classes]` -> `[B]` class ids.
    public func argmax(axis: Int) -> [Int] { maxAndArgmax(shape.normalizedAxis(axis)).indices }

    private func maxAndArgmax(_ a: Int) -> (values: [Float], indices: [Int]) {
        let (outer, size, inner) = shape.split(at: a)
        precondition(size > 0, "max over an empty axis of \(shape)")
        var values = [Float](repeating: -.infinity, count: outer * inner)
        var indices = [Int](repeating: 0, count: outer * inner)
        withUnsafeBufferPointer { src in
            for o in 0..<outer {
                for j in 0..<inner {
                    var best = src[o * size * inner + j], at = 0
                    for i in 1..<Swift.max(size, 1) {
                        let v = src[(o * size + i) * inner + j]
                        if v > best || (best.isNaN && !v.isNaN) { best = v; at = i }
                    }
                    values[o * inner + j] = best
                    indices[o * inner + j] = at
                }
            }
        }
        return (values, indices)
    }

    /// The softmax along `axis` (max-subtracted). Shape preserved.
    public func softmax(axis: Int = -1) -> Tensor {
        let a = shape.normalizedAxis(axis)
        let values = softmaxValues(a, log: false)
        let out = Tensor(values, shape: shape)
        if Autograd.shouldRecord(self) {
            let storage = out.storage, s = shape
            out.record([self]) { g in
                let y = Tensor(storage: storage, shape: s)
                return [y * (g - (g * y).sum(axis: a, keepDims: true))]
            }
        }
        return out
    }

    /// The log-softmax along `axis` (`x - logsumexp(x)`), numerically stable. Shape preserved.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let a = shape.normalizedAxis(axis)
        let values = softmaxValues(a, log: true)
        let out = Tensor(values, shape: shape)
        if Autograd.shouldRecord(self) {
            let storage = out.storage, s = shape
            out.record([self]) { g in
                let p = Tensor(storage: storage, shape: s).exp()
                return [g - p * g.sum(axis: a, keepDims: true)]
            }
        }
        return out
    }

    /// `log(sum(exp(x)))` along `axis`, stable.
    public func logSumExp(axis: Int = -1, keepDims: Bool = false) -> Tensor {
        let m = Autograd.withNoGrad { max(axis: axis, keepDims: true) }
        let r = (self - m).exp().sum(axis: axis, keepDims: true).log() + m
        return keepDims ? r : r.squeezed(axis)
    }

    private func softmaxValues(_ a: Int, log: Bool) -> [Float] {
        let (outer, size, inner) = shape.split(at: a)
        return [Float](unsafeUninitializedCapacity: count) { out, filled in
            withUnsafeBufferPointer { src in
                Threading.parallelFor(outer * inner, grain: Swift.max(1, Threading.parallelGrain / Swift.max(size, 1))) { range in
                    for row in range {
                        let o = row / inner, j = row % inner
                        let base = o * size * inner + j
                        var m = -Float.infinity
                        for i in 0..<size { m = Swift.max(m, src[base + i * inner]) }
                        var s: Float = 0
                        for i in 0..<size {
                            let e = Float.exp(src[base + i * inner] - m)
                            out[base + i * inner] = e
                            s += e
                        }
                        if log {
                            let lse = m + Float.log(s)
                            for i in 0..<size { out[base + i * inner] = src[base + i * inner] - lse }
                        } else {
                            let r = 1 / s
                            for i in 0..<size { out[base + i * inner] *= r }
                        }
                    }
                }
            }
            filled = count
        }
    }
}
