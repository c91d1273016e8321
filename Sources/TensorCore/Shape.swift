/// The dimensions of a contiguous, row-major tensor, e.g. `[batch, channels, time]`.
///
/// `Shape` is a value type (`Sendable`). Its strides are the row-major strides of a contiguous buffer;
/// there are no strided views in TensorCore: every op produces contiguous storage.
///
/// ```swift
/// let s: Shape = [2, 64, 999]   // [B, C, T]
/// s.count      // 127872
/// s.strides    // [63936, 999, 1]
/// s.description // "[2, 64, 999]"
/// ```
public struct Shape: Sendable, Hashable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// The size of each axis, outermost first. A scalar has `dims == []`.
    public let dims: [Int]

    /// Creates a shape from its dimensions. Every dimension must be `>= 0`.
    /// - Parameter dims: sizes, outermost first.
    public init(_ dims: [Int]) {
        precondition(dims.allSatisfy { $0 >= 0 }, "Shape dimensions must be non-negative, got \(dims)")
        self.dims = dims
    }

    /// Creates a shape from an array literal: `let s: Shape = [2, 3]`.
    public init(arrayLiteral elements: Int...) { self.init(elements) }

    /// The number of axes (0 for a scalar).
    public var rank: Int { dims.count }

    /// The number of elements (1 for a scalar).
    public var count: Int { dims.reduce(1, *) }

    /// Row-major strides in elements: `strides[i] = dims[i+1] * ... * dims[rank-1]`.
    public var strides: [Int] {
        var result = [Int](repeating: 1, count: dims.count)
        var running = 1
        for axis in stride(from: dims.count - 1, through: 0, by: -1) {
            result[axis] = running
            running *= dims[axis]
        }
        return result
    }

    /// The size of `axis`; negative axes count from the end (`-1` is the last axis).
    public subscript(axis: Int) -> Int { dims[normalizedAxis(axis)] }

    /// `"[2, 3, 4]"`, the notation used in every error message and doc comment.
    public var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }

    /// Maps a possibly negative axis to `0..<rank`; traps on an out-of-range axis (a programmer error).
    /// - Parameter axis: an axis in `-rank..<rank`.
    /// - Returns: the axis in `0..<rank`.
    public func normalizedAxis(_ axis: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "Axis \(axis) is out of range for shape \(self)")
        return a
    }

    /// The NumPy broadcast of two shapes (align trailing axes; each pair must be equal or contain a 1).
    /// - Returns: the broadcast shape, or `nil` when the shapes are incompatible.
    public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        let rank = Swift.max(a.rank, b.rank)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.rank ? 1 : a.dims[i - (rank - a.rank)]
            let db = i < rank - b.rank ? 1 : b.dims[i - (rank - b.rank)]
            if da == db || db == 1 {
                out[i] = da
            } else if da == 1 {
                out[i] = db
            } else {
                return nil
            }
        }
        return Shape(out)
    }

    /// Strides to read a tensor of this shape as if it had shape `target` (0 on broadcast axes).
    /// - Parameter target: a shape this shape broadcasts to.
    /// - Returns: `target.rank` strides in elements.
    package func broadcastStrides(to target: Shape) -> [Int] {
        precondition(target.rank >= rank, "Cannot broadcast \(self) to \(target)")
        let own = strides
        var result = [Int](repeating: 0, count: target.rank)
        let offset = target.rank - rank
        for i in 0..<rank {
            precondition(dims[i] == target.dims[i + offset] || dims[i] == 1, "Cannot broadcast \(self) to \(target)")
            result[i + offset] = dims[i] == 1 ? 0 : own[i]
        }
        return result
    }

    /// Splits the shape around `axis` into `(outer, axis size, inner)` element counts.
    package func split(at axis: Int) -> (outer: Int, size: Int, inner: Int) {
        let a = normalizedAxis(axis)
        let outer = dims[..<a].reduce(1, *)
        let inner = dims[(a + 1)...].reduce(1, *)
        return (outer, dims[a], inner)
    }
}
