import TensorCore

/// A neural-network layer: a class that owns named parameters and child layers (PyTorch `nn.Module`).
///
/// Parameter keys are dotted paths in the PyTorch state-dict style, built from the child names and the
/// local names: a `Sequential` holding a `Linear` at index 1 inside a layer stored as `to_hidden.mdl`
/// yields `to_hidden.mdl.1.weight`. Implement ``localParameters`` and ``children``; everything else
/// (``visitParameters(prefix:_:)``, ``namedParameters()``, ``setTraining(_:)``, loading) is derived.
///
/// ```swift
/// final class Block: UnaryLayer {
///     let proj = Linear(inputFeatures: 64, outputFeatures: 64)
///     let norm = LayerNorm(features: 64)
///     var isTraining = true
///     var children: [(name: String, layer: any Layer)] { [("proj", proj), ("norm", norm)] }
///     func callAsFunction(_ x: Tensor) -> Tensor { norm(proj(x)).silu() }   // [B, T, 64] -> [B, T, 64]
/// }
/// ```
public protocol Layer: AnyObject {
    /// This layer's own trainable tensors, by local name (e.g. `("weight", w)`).
    var localParameters: [(name: String, tensor: Tensor)] { get }
    /// This layer's own non-trainable state saved in checkpoints (e.g. fixed frequency tables).
    var localBuffers: [(name: String, tensor: Tensor)] { get }
    /// The direct sub-layers, by local name (e.g. `("0", linear)` in a `Sequential`).
    var children: [(name: String, layer: any Layer)] { get }
    /// Training mode (dropout active) versus evaluation mode.
    var isTraining: Bool { get set }
}

/// A layer with one input and one output tensor.
public protocol UnaryLayer: Layer {
    /// Applies the layer. Shapes are documented by each conforming type.
    func callAsFunction(_ x: Tensor) -> Tensor
}

extension Layer {
    /// No own parameters by default.
    public var localParameters: [(name: String, tensor: Tensor)] { [] }
    /// No buffers by default.
    public var localBuffers: [(name: String, tensor: Tensor)] { [] }
    /// No children by default.
    public var children: [(name: String, layer: any Layer)] { [] }

    /// Calls `visit(key, tensor, isParameter)` for every parameter and buffer of this layer and its
    /// descendants, keys prefixed by `prefix` (depth-first, own tensors first).
    /// - Parameters:
    ///   - prefix: prepended to every key with a dot (empty for the root).
    ///   - visit: receives the dotted key, the tensor, and whether it is trainable.
    public func visitParameters(prefix: String = "", _ visit: (String, Tensor, Bool) -> Void) {
        let dot = prefix.isEmpty ? "" : prefix + "."
        for (name, t) in localParameters { visit(dot + name, t, true) }
        for (name, t) in localBuffers { visit(dot + name, t, false) }
        for (name, child) in children { child.visitParameters(prefix: dot + name, visit) }
    }

    /// The trainable parameters with their dotted keys, in a stable order.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = []
        visitParameters { key, t, trainable in if trainable { result.append((key, t)) } }
        return result
    }

    /// Every tensor a checkpoint holds (parameters and buffers) by dotted key.
    public func stateDict() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        visitParameters { key, t, _ in result[key] = t }
        return result
    }

    /// The number of trainable scalars.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.tensor.count } }

    /// Every layer of the tree, this one first (depth-first, in child order).
    public func allLayers() -> [any Layer] {
        [self] + children.flatMap { $0.layer.allLayers() }
    }

    /// Sets training mode on this layer and all descendants.
    public func setTraining(_ training: Bool) {
        isTraining = training
        for (_, child) in children { child.setTraining(training) }
    }
}
