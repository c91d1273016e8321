/// A node of the computation graph: a contiguous row-major `Float` array with a ``Shape``, an optional
/// gradient, and (when it was produced by an op that needs a gradient) its parents and backward rule.
///
/// `Tensor` is deliberately not `Sendable` (like mlx's `MLXArray`): it holds graph references. To move data
/// between tasks, copy it out with ``scalars``. Layout convention everywhere: `[batch, channels, time]`.
///
/// ```swift
/// let x = Tensor([1, 2, 3, 4, 5, 6], shape: [1, 2, 3], requiresGrad: true)   // [B, C, T]
/// let loss = (x * x).sum()                                                 // []
/// loss.backward()
/// x.grad!.scalars  // [2, 4, 6, 8, 10, 12]
/// ```
public final class Tensor {
    /// The dimensions of this tensor.
    public let shape: Shape
    /// The buffer holding the elements (shared with reshaped views of the same data).
    public let storage: TensorStorage
    /// Whether gradients flow to this tensor. Set it on leaves (parameters, inputs); ops set it on results.
    public var requiresGrad: Bool
    /// The accumulated gradient (same count as the tensor), present after ``backward(_:retainGraph:)``.
    package var gradValues: [Float]?
    /// The op inputs this tensor was computed from (empty for leaves or when nothing was recorded).
    package var parents: [Tensor] = []
    /// Maps the gradient of this tensor (shape ``shape``) to gradients of ``parents`` (each of its
    /// parent's shape, or nil where a parent needs none). Runs with gradient recording off.
    package var backwardRule: ((Tensor) -> [Tensor?])?
    /// An optional name used in debugging output.
    public var name: String?

    /// Creates a tensor from row-major values (no copy).
    /// - Parameters:
    ///   - values: `shape.count` elements, row-major.
    ///   - shape: the dimensions.
    ///   - requiresGrad: whether this leaf collects a gradient.
    public init(_ values: [Float], shape: Shape, requiresGrad: Bool = false) {
        precondition(values.count == shape.count, "\(values.count) values do not fill shape \(shape)")
        self.shape = shape
        self.storage = TensorStorage(values)
        self.requiresGrad = requiresGrad
    }

    /// Creates a tensor that shares `storage` (used by reshapes).
    package init(storage: TensorStorage, shape: Shape) {
        precondition(storage.count == shape.count, "Storage of \(storage.count) elements does not fit shape \(shape)")
        self.shape = shape
        self.storage = storage
        self.requiresGrad = false
    }

    /// Creates a scalar tensor (shape `[]`).
    /// - Parameter value: the value.
    public convenience init(_ value: Float) { self.init([value], shape: []) }

    /// The elements, row-major (a copy-on-write array; cheap to take, but see ``TensorStorage``).
    public var scalars: [Float] { storage.values }

    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(shape.count == 1, "item needs a one-element tensor, got shape \(shape)")
        return storage.values[0]
    }

    /// The number of elements.
    public var count: Int { shape.count }

    /// The number of axes.
    public var rank: Int { shape.rank }

    /// The gradient accumulated by ``backward(_:retainGraph:)``, as a tensor of this tensor's shape.
    public var grad: Tensor? {
        get { gradValues.map { Tensor($0, shape: shape) } }
        set {
            if let newValue { precondition(newValue.shape == shape, "Gradient shape \(newValue.shape) != \(shape)") }
            gradValues = newValue?.scalars
        }
    }

    /// Clears the accumulated gradient.
    public func zeroGrad() { gradValues = nil }

    /// A new leaf with a copy of the values and no graph history (`requiresGrad == false`).
    public func detached() -> Tensor { Tensor(storage.values, shape: shape) }

    /// Whether this tensor is a graph leaf (no recorded backward rule).
    public var isLeaf: Bool { backwardRule == nil }

    /// Reads the elements through a pointer (one call per kernel, never per element).
    @inline(__always)
    package func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Writes the elements in place (see ``TensorStorage`` about copy-on-write).
    @inline(__always)
    package func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    /// Overwrites the values in place with `values` (same count), keeping the graph identity.
    /// Used by checkpoint loading and optimizers.
    /// - Parameter values: `count` elements, row-major.
    public func assign(_ values: [Float]) {
        precondition(values.count == count, "assign: \(values.count) values for shape \(shape)")
        storage.withUnsafeMutableBufferPointer { dst in
            values.withUnsafeBufferPointer { src in
                dst.baseAddress!.update(from: src.baseAddress!, count: src.count)
            }
        }
    }
}

extension Tensor: CustomStringConvertible {
    /// `Tensor[2, 3](first values…)`.
    public var description: String {
        let head = storage.values.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor\(shape)(\(head)\(count > 8 ? ", …" : ""))"
    }
}
