import TensorCore

/// Activation functions by name, as they appear in configuration files.
public enum ActivationKind: String, Sendable, Codable, CaseIterable {
    /// Identity.
    case identity
    /// `max(x, 0)`.
    case relu
    /// `relu(x)²`.
    case squaredReLU = "squared_relu"
    /// `x · sigmoid(x)`.
    case silu
    /// Logistic sigmoid.
    case sigmoid
    /// Hyperbolic tangent.
    case tanh
    /// Exact (erf) GELU.
    case gelu
    /// Tanh-approximated GELU.
    case geluTanh = "gelu_tanh"

    /// Applies the activation (shape preserved).
    public func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .identity: return x
        case .relu: return x.relu()
        case .squaredReLU: return x.squaredReLU()
        case .silu: return x.silu()
        case .sigmoid: return x.sigmoid()
        case .tanh: return x.tanh()
        case .gelu: return x.gelu()
        case .geluTanh: return x.gelu(approximate: true)
        }
    }
}

/// A parameter-free activation as a layer (fills the weightless slots of a `Sequential`, e.g. `mdl.2`).
/// Shapes: any -> same.
public final class Activation: UnaryLayer {
    /// The function.
    public let kind: ActivationKind
    /// Training flag (unused).
    public var isTraining = true

    /// Wraps `kind`.
    public init(_ kind: ActivationKind) { self.kind = kind }

    /// Applies the activation.
    public func callAsFunction(_ x: Tensor) -> Tensor { kind.apply(x) }
}

/// PReLU with one shared slope or one per channel (PyTorch `nn.PReLU(num_parameters)`; key `weight`).
/// Shapes: `[B, C, ...] -> [B, C, ...]` (channel axis 1 for per-channel slopes).
public final class PReLU: UnaryLayer {
    /// `[1]` or `[C]` slopes.
    public let weight: Tensor
    /// Training flag (unused).
    public var isTraining = true

    /// Slopes initialized to `initialSlope` (PyTorch: 0.25).
    public init(parameterCount: Int = 1, initialSlope: Float = 0.25) {
        weight = Tensor.full([parameterCount], value: initialSlope, requiresGrad: true)
    }

    public var localParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }

    /// Applies PReLU.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.prelu(weight) }
}

/// Inverted dropout with its own seeded generator; active only in training mode and outside inference mode.
/// Shapes: any -> same.
public final class Dropout: UnaryLayer {
    /// Drop probability.
    public let probability: Float
    /// Training flag: dropout is the identity when false.
    public var isTraining = true
    private var rng: SplitMix64

    /// A dropout layer.
    /// - Parameters:
    ///   - probability: in `[0, 1)`.
    ///   - seed: seeds the mask generator.
    public init(probability: Float, seed: UInt64 = 0) {
        precondition(probability >= 0 && probability < 1, "Dropout: probability must be in [0, 1)")
        self.probability = probability
        self.rng = SplitMix64(seed: seed)
    }

    /// Restarts the mask generator from `seed` (trainers reseed every step so that a resumed run draws the same
    /// masks as an uninterrupted one).
    public func reseed(_ seed: UInt64) { rng = SplitMix64(seed: seed) }

    /// Applies dropout (identity in evaluation or inference mode).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining, probability > 0 else { return x }
        return x.dropout(probability, using: &rng)
    }
}
