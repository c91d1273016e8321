/// The contiguous `Float` buffer behind one or more tensors (a reshape shares its storage).
///
/// A `final class` owning one `[Float]`. Kernels read it through `withUnsafeBufferPointer` once per call.
/// In-place writers (optimizers, inference kernels writing into preallocated outputs) go through
/// ``withUnsafeMutableBufferPointer(_:)``; that never copies as long as nobody else holds the array
/// (copy-on-write): do not keep `tensor.scalars` around while writing into the same tensor in a hot loop.
public final class TensorStorage {
    /// The elements, row-major.
    package var values: [Float]

    /// Wraps an array without copying it.
    /// - Parameter values: the elements, row-major.
    public init(_ values: [Float]) { self.values = values }

    /// The number of elements.
    public var count: Int { values.count }

    /// Calls `body` with a read-only pointer to the elements.
    @inline(__always)
    package func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try values.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with a writable pointer to the elements (in place, no copy when uniquely referenced).
    @inline(__always)
    package func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try values.withUnsafeMutableBufferPointer(body)
    }
}
