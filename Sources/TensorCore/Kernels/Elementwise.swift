import RealModule

/// A pointwise function of one `Float` (specialized and inlined into ``Elementwise`` loops).
package protocol UnaryKernel {
    /// Applies the function to one element.
    func callAsFunction(_ x: Float) -> Float
}

/// A pointwise function of two `Float`s (specialized and inlined into ``Elementwise`` loops).
package protocol BinaryKernel {
    /// Applies the function to one pair of elements.
    func callAsFunction(_ a: Float, _ b: Float) -> Float
}

/// Row iteration over a broadcast of up to two inputs into a contiguous output, with adjacent axes merged.
package struct BroadcastPlan {
    /// Coalesced output dimensions.
    package let dims: [Int]
    /// Coalesced strides of the first input (0 on broadcast axes).
    package let aStrides: [Int]
    /// Coalesced strides of the second input (0 on broadcast axes).
    package let bStrides: [Int]

    /// Plans reading `a` and `b` (shapes broadcastable to `out`) in the order of the contiguous `out`.
    package init(out: Shape, a: Shape, b: Shape) {
        var dims = out.dims
        var sa = a.broadcastStrides(to: out)
        var sb = b.broadcastStrides(to: out)
        // Drop size-1 axes, then merge adjacent axes that are contiguous (or broadcast) in both inputs.
        var keep = dims.indices.filter { dims[$0] != 1 }
        if keep.isEmpty { keep = [] }
        dims = keep.map { dims[$0] }; sa = keep.map { sa[$0] }; sb = keep.map { sb[$0] }
        var i = dims.count - 1
        while i > 0 {
            let mergeable = sa[i - 1] == sa[i] * dims[i] && sb[i - 1] == sb[i] * dims[i]
            if mergeable {
                dims[i - 1] *= dims[i]
                sa[i - 1] = sa[i]; sb[i - 1] = sb[i]
                dims.remove(at: i); sa.remove(at: i); sb.remove(at: i)
            }
            i -= 1
        }
        if dims.isEmpty { dims = [1]; sa = [0]; sb = [0] }
        self.dims = dims; self.aStrides = sa; self.bStrides = sb
    }

    /// The length of one row (the innermost coalesced axis).
    package var rowLength: Int { dims[dims.count - 1] }
    /// The number of rows.
    package var rowCount: Int { dims.dropLast().reduce(1, *) }

    /// Calls `body(aOffset, bOffset, outOffset)` for each row in `rows`.
    package func forEachRow(_ rows: Range<Int>, _ body: (Int, Int, Int) -> Void) {
        let r = dims.count - 1
        let n = rowLength
        if r == 0 { body(0, 0, 0); return }
        var index = [Int](repeating: 0, count: r)
        var rem = rows.lowerBound
        var aOff = 0, bOff = 0
        for axis in stride(from: r - 1, through: 0, by: -1) {
            index[axis] = rem % dims[axis]
            rem /= dims[axis]
            aOff += index[axis] * aStrides[axis]
            bOff += index[axis] * bStrides[axis]
        }
        for row in rows {
            body(aOff, bOff, row * n)
            var axis = r - 1
            while axis >= 0 {
                index[axis] += 1
                aOff += aStrides[axis]; bOff += bStrides[axis]
                if index[axis] < dims[axis] { break }
                aOff -= aStrides[axis] * dims[axis]; bOff -= bStrides[axis] * dims[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

/// Elementwise loops over unsafe buffers: maps, broadcast binaries, broadcast reductions.
/// Large loops are split over cores with ``Threading/parallelFor(_:grain:_:)``.
package enum Elementwise {
    /// `a += b` elementwise (same count).
    package static func addInPlace(_ a: inout [Float], _ b: [Float]) {
        precondition(a.count == b.count, "addInPlace: \(a.count) vs \(b.count) elements")
        a.withUnsafeMutableBufferPointer { dst in
            b.withUnsafeBufferPointer { src in
                for i in 0..<dst.count { dst[i] += src[i] }
            }
        }
    }

    /// `out[i] = k(x[i])`, split over cores when large.
    package static func map<K: UnaryKernel>(
        _ k: K, _ x: UnsafeBufferPointer<Float>, _ out: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(x.count == out.count)
        Threading.parallelFor(x.count) { range in
            for i in range { out[i] = k(x[i]) }
        }
    }

    /// Returns `k(x[i])` for every element of `x`.
    package static func map<K: UnaryKernel>(_ k: K, _ x: Tensor) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { out, n in
            x.withUnsafeBufferPointer { map(k, $0, out) }
            n = x.count
        }
    }

    /// `out = k(a, b)` where `a`, `b` broadcast to `outShape` (contiguous `out`).
    package static func binary<K: BinaryKernel>(
        _ k: K, _ a: UnsafeBufferPointer<Float>, _ aShape: Shape, _ b: UnsafeBufferPointer<Float>, _ bShape: Shape,
        _ out: UnsafeMutableBufferPointer<Float>, _ outShape: Shape
    ) {
        let count = outShape.count
        precondition(out.count == count)
        if aShape == bShape {
            Threading.parallelFor(count) { range in for i in range { out[i] = k(a[i], b[i]) } }
            return
        }
        if b.count == 1 && a.count == count {
            let s = b[0]
            Threading.parallelFor(count) { range in for i in range { out[i] = k(a[i], s) } }
            return
        }
        if a.count == 1 && b.count == count {
            let s = a[0]
            Threading.parallelFor(count) { range in for i in range { out[i] = k(s, b[i]) } }
            return
        }
        let plan = BroadcastPlan(out: outShape, a: aShape, b: bShape)
        let n = plan.rowLength
        let ia = plan.aStrides.last!, ib = plan.bStrides.last!
        Threading.parallelFor(plan.rowCount, grain: max(1, Threading.parallelGrain / max(n, 1))) { rows in
            plan.forEachRow(rows) { ao, bo, oo in
                switch (ia, ib) {
                case (1, 1): for j in 0..<n { out[oo + j] = k(a[ao + j], b[bo + j]) }
                case (1, 0): let s = b[bo]; for j in 0..<n { out[oo + j] = k(a[ao + j], s) }
                case (0, 1): let s = a[ao]; for j in 0..<n { out[oo + j] = k(s, b[bo + j]) }
                default: for j in 0..<n { out[oo + j] = k(a[ao + j * ia], b[bo + j * ib]) }
                }
            }
        }
    }

    /// Returns `k(a, b)` broadcast to the common shape.
    package static func binary<K: BinaryKernel>(_ k: K, _ a: Tensor, _ b: Tensor) -> (values: [Float], shape: Shape) {
        guard let shape = Shape.broadcast(a.shape, b.shape) else {
            preconditionFailure("Shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let values = [Float](unsafeUninitializedCapacity: shape.count) { out, n in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in binary(k, pa, a.shape, pb, b.shape, out, shape) }
            }
            n = shape.count
        }
        return (values, shape)
    }

    /// Sums `x` (shape `from`) over the broadcast axes so that it has shape `to` (the gradient of a broadcast).
    package static func sumToShape(_ x: [Float], from: Shape, to: Shape) -> [Float] {
        if from == to { return x }
        var result = [Float](repeating: 0, count: to.count)
        let plan = BroadcastPlan(out: from, a: to, b: to)
        let n = plan.rowLength
        let ia = plan.aStrides.last!
        result.withUnsafeMutableBufferPointer { dst in
            x.withUnsafeBufferPointer { src in
                plan.forEachRow(0..<plan.rowCount) { ao, _, oo in
                    if ia == 0 {
                        var s: Float = 0
                        for j in 0..<n { s = Relaxed.sum(s, src[oo + j]) }
                        dst[ao] += s
                    } else {
                        for j in 0..<n { dst[ao + j * ia] += src[oo + j] }
                    }
                }
            }
        }
        return result
    }
}

// MARK: - Kernels

package struct AddKernel: BinaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b } }
package struct SubKernel: BinaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b } }
package struct MulKernel: BinaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b } }
package struct DivKernel: BinaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b } }
package struct PowKernel: BinaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ a: Float, _ b: Float) -> Float { .pow(a, b) } }
package struct MaxKernel: BinaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ a: Float, _ b: Float) -> Float { Swift.max(a, b) } }
package struct MinKernel: BinaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ a: Float, _ b: Float) -> Float { Swift.min(a, b) } }
/// `b` where `a != 0`, else 0 (the masking half of `where`).
package struct SelectKernel: BinaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ a: Float, _ b: Float) -> Float { a != 0 ? b : 0 } }
/// `1` where `a >= b`, else 0.
package struct GreaterEqualKernel: BinaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 } }
/// `1` where `a > b`, else 0.
package struct GreaterKernel: BinaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 } }

/// `b` where `a > 0`, else 0 (ReLU's gradient: `a` the input, `b` the incoming gradient).
package struct SelectPositiveKernel: BinaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ a: Float, _ b: Float) -> Float { a > 0 ? b : 0 } }
/// `b · (1 − a²)` (tanh's gradient from its output `a` and the incoming gradient `b`).
package struct TanhGradientKernel: BinaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ a: Float, _ b: Float) -> Float { b * (1 - a * a) } }
/// `relu(x)²`.
package struct SquaredReLUKernel: UnaryKernel {
    package init() {}
    @inline(__always) package func callAsFunction(_ x: Float) -> Float { let r = Swift.max(x, 0); return r * r }
}
/// `2 · relu(a) · b` (squared ReLU's gradient from its input `a` and the incoming gradient `b`).
package struct SquaredReLUGradientKernel: BinaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ a: Float, _ b: Float) -> Float { b * Swift.max(a, 0) * 2 } }

/// A unary kernel from a closure (for the rarely hot ops).
package struct ClosureKernel: UnaryKernel {
    let f: (Float) -> Float
    package init(_ f: @escaping (Float) -> Float) { self.f = f }
    @inline(__always) package func callAsFunction(_ x: Float) -> Float { f(x) }
}
package struct NegKernel: UnaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ x: Float) -> Float { -x } }
package struct ExpKernel: UnaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ x: Float) -> Float { .exp(x) } }
package struct LogKernel: UnaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ x: Float) -> Float { .log(x) } }
package struct SqrtKernel: UnaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ x: Float) -> Float { x.squareRoot() } }
package struct RsqrtKernel: UnaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ x: Float) -> Float { 1 / x.squareRoot() } }
package struct AbsKernel: UnaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ x: Float) -> Float { Swift.abs(x) } }
package struct SignKernel: UnaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) } }
package struct SquareKernel: UnaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ x: Float) -> Float { x * x } }
package struct ReLUKernel: UnaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ x: Float) -> Float { Swift.max(x, 0) } }
package struct StepKernel: UnaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ x: Float) -> Float { x > 0 ? 1 : 0 } }
package struct TanhKernel: UnaryKernel { package init() {}; @inline(__always) package func callAsFunction(_ x: Float) -> Float { .tanh(x) } }
package struct ScaleShiftKernel: UnaryKernel {
    let scale: Float, shift: Float
    package init(scale: Float, shift: Float) { self.scale = scale; self.shift = shift }
    @inline(__always) package func callAsFunction(_ x: Float) -> Float { x * scale + shift }
}
package struct PowScalarKernel: UnaryKernel {
    let p: Float
    let integral: Int?
    package init(_ p: Float) {
        self.p = p
        self.integral = p == p.rounded() && Swift.abs(p) < 1_048_576 ? Int(p) : nil
    }
    /// Integer exponents are exact for negative bases too (`(-2)^3 = -8`); others need `x >= 0`.
    @inline(__always) package func callAsFunction(_ x: Float) -> Float {
        if let n = integral { return n == 2 ? x * x : Float.pow(x, n) }
        return .pow(x, p)
    }
}
package struct ClampKernel: UnaryKernel {
    let lo: Float, hi: Float
    package init(_ lo: Float, _ hi: Float) { self.lo = lo; self.hi = hi }
    @inline(__always) package func callAsFunction(_ x: Float) -> Float { Swift.min(Swift.max(x, lo), hi) }
}
/// 1 where `lo <= x <= hi` (the pass-through mask of clamp's gradient).
package struct InRangeKernel: UnaryKernel {
    let lo: Float, hi: Float
    package init(_ lo: Float, _ hi: Float) { self.lo = lo; self.hi = hi }
    @inline(__always) package func callAsFunction(_ x: Float) -> Float { x >= lo && x <= hi ? 1 : 0 }
}
