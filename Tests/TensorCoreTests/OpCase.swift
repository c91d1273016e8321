import Testing
import TensorCore
import TestSupport

/// One row of the op table: inputs, the op, its naive reference, and gradient-check settings.
struct OpCase: Sendable, CustomTestStringConvertible {
    let name: String
    let shapes: [Shape]
    var low: Float = -1
    var high: Float = 1
    /// Inputs that get no gradient (e.g. a mask).
    var constantInputs: Set<Int> = []
    var eps: Float = 1e-2
    var tolerance: Double = 1e-2
    var forwardTolerance: Double = 1e-5
    /// Points to leave out of the numeric check (kinks): `(input, value) -> skip`.
    var kink: @Sendable (Int, Float) -> Bool = { _, _ in false }
    let op: @Sendable ([Tensor]) -> Tensor
    /// The expected forward values from the inputs' values (nil: no independent oracle for this row).
    let reference: (@Sendable ([[Float]]) -> [Float])?

    var testDescription: String { name }
}

/// Naive NumPy broadcasting of two arrays, by index arithmetic.
func naiveBroadcast(_ a: [Float], _ sa: Shape, _ b: [Float], _ sb: Shape, _ f: (Float, Float) -> Float) -> [Float] {
    let out = Shape.broadcast(sa, sb)!
    let r = out.rank
    func offset(_ idx: [Int], _ s: Shape) -> Int {
        var off = 0, step = 1
        for axis in stride(from: s.rank - 1, through: 0, by: -1) {
            let i = idx[axis + (r - s.rank)]
            off += (s.dims[axis] == 1 ? 0 : i) * step
            step *= s.dims[axis]
        }
        return off
    }
    var result = [Float](repeating: 0, count: out.count)
    for flat in 0..<out.count {
        var idx = [Int](repeating: 0, count: r), rem = flat
        for axis in stride(from: r - 1, through: 0, by: -1) { idx[axis] = rem % out.dims[axis]; rem /= out.dims[axis] }
        result[flat] = f(a[offset(idx, sa)], b[offset(idx, sb)])
    }
    return result
}

/// Naive elementwise map in Double.
func naiveMap(_ x: [Float], _ f: (Double) -> Double) -> [Float] { x.map { Float(f(Double($0))) } }

/// Naive reduction over one axis of `[outer, size, inner]`.
func naiveReduce(_ x: [Float], _ shape: Shape, axis: Int, _ f: ([Double]) -> Double) -> [Float] {
    let (outer, size, inner) = (shape.dims[..<axis].reduce(1, *), shape.dims[axis], shape.dims[(axis + 1)...].reduce(1, *))
    var out: [Float] = []
    for o in 0..<outer {
        for j in 0..<inner {
            out.append(Float(f((0..<size).map { Double(x[(o * size + $0) * inner + j]) })))
        }
    }
    return out
}
