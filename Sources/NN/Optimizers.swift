import TensorCore

/// A first-order optimizer over named parameters, updating them in place.
///
/// Its state (step count, moment buffers) is exported as named tensors (``stateTensors()``) so a training
/// checkpoint can hold it next to the model and ``loadState(_:)`` resumes the exact trajectory.
public protocol Optimizer: AnyObject {
    /// The parameters, by dotted key (from ``Layer/namedParameters()``).
    var parameters: [(name: String, tensor: Tensor)] { get }
    /// The current learning rate (a schedule may set it before each step).
    var learningRate: Float { get set }
    /// Applies one update from the accumulated gradients (parameters without a gradient are skipped).
    func step()
    /// The optimizer state by name (e.g. `step`, `exp_avg.<param>`).
    func stateTensors() -> [String: Tensor]
    /// Restores state saved by ``stateTensors()``.
    /// - Throws: ``CheckpointError/invalidState(_:)`` when an entry is missing or mis-shaped.
    func loadState(_ state: [String: Tensor]) throws(CheckpointError)
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGrad() { for (_, p) in parameters { p.zeroGrad() } }
}

/// Scales all gradients so that their global L2 norm is at most `maxNorm` (PyTorch `clip_grad_norm_`).
/// - Parameters:
///   - parameters: the parameters whose gradients are clipped.
///   - maxNorm: the largest allowed norm.
/// - Returns: the norm before clipping.
@discardableResult
public func clipGradNorm(_ parameters: [(name: String, tensor: Tensor)], maxNorm: Float) -> Float {
    var total = 0.0
    for (_, p) in parameters {
        guard let g = p.gradValues else { continue }
        for v in g { total += Double(v) * Double(v) }
    }
    let norm = Float(total.squareRoot())
    let scale = maxNorm / (norm + 1e-6)
    if scale < 1 {
        for (_, p) in parameters where p.gradValues != nil {
            for i in p.gradValues!.indices { p.gradValues![i] *= scale }
        }
    }
    return norm
}

/// Reads a one-element state tensor.
func stateScalar(_ state: [String: Tensor], _ key: String) throws(CheckpointError) -> Float {
    guard let t = state[key], t.count == 1 else { throw .invalidState("'\(key)' is missing or not a scalar") }
    return t.item
}

/// Reads a per-parameter state tensor of the parameter's shape.
func stateBuffer(_ state: [String: Tensor], _ key: String, like p: Tensor) throws(CheckpointError) -> [Float] {
    guard let t = state[key] else { throw .invalidState("'\(key)' is missing") }
    guard t.shape == p.shape else { throw .invalidState("'\(key)' has shape \(t.shape), expected \(p.shape)") }
    return t.scalars
}

/// Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay (PyTorch `optim.SGD`):
/// `g += wd·p; buf = μ·buf + (1−dampening)·g` (first step `buf = g`); `p −= lr·(nesterov ? g + μ·buf : buf)`.
public final class SGD: Optimizer {
    public let parameters: [(name: String, tensor: Tensor)]
    public var learningRate: Float
    /// Momentum `μ`.
    public let momentum: Float
    /// Dampening of the momentum update.
    public let dampening: Float
    /// L2 penalty added to the gradient.
    public let weightDecay: Float
    /// Nesterov momentum.
    public let nesterov: Bool
    private var buffers: [[Float]?]

    /// An SGD optimizer.
    public init(parameters: [(name: String, tensor: Tensor)], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        self.parameters = parameters; self.learningRate = learningRate; self.momentum = momentum
        self.dampening = dampening; self.weightDecay = weightDecay; self.nesterov = nesterov
        buffers = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        for (index, (_, p)) in parameters.enumerated() {
            guard var g = p.gradValues else { continue }
            p.withUnsafeMutableBufferPointer { w in
                if weightDecay != 0 { for i in g.indices { g[i] += weightDecay * w[i] } }
                if momentum != 0 {
                    if var buf = buffers[index] {
                        for i in buf.indices { buf[i] = momentum * buf[i] + (1 - dampening) * g[i] }
                        buffers[index] = buf
                    } else {
                        buffers[index] = g
                    }
                    let buf = buffers[index]!
                    if nesterov { for i in g.indices { g[i] += momentum * buf[i] } } else { g = buf }
                }
                for i in g.indices { w[i] -= learningRate * g[i] }
            }
        }
    }

    public func stateTensors() -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        for ((name, p), buf) in zip(parameters, buffers) {
            if let buf { state["momentum_buffer." + name] = Tensor(buf, shape: p.shape) }
        }
        return state
    }

    public func loadState(_ state: [String: Tensor]) throws(CheckpointError) {
        var restored: [[Float]?] = []
        for (name, p) in parameters {
            let key = "momentum_buffer." + name
            restored.append(state[key] == nil ? nil : try stateBuffer(state, key, like: p))
        }
        buffers = restored
    }
}

/// Adam (PyTorch `optim.Adam`, L2 weight decay added to the gradient) and AdamW (`decoupledWeightDecay`,
/// PyTorch `optim.AdamW`: `p *= 1 − lr·wd` before the update). Update, with `t` the step count:
/// `m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps)`.
public final class Adam: Optimizer {
    public let parameters: [(name: String, tensor: Tensor)]
    public var learningRate: Float
    /// `β1`.
    public let beta1: Float
    /// `β2`.
    public let beta2: Float
    /// Added to the denominator.
    public let eps: Float
    /// Weight decay (L2 for Adam, decoupled for AdamW).
    public let weightDecay: Float
    /// AdamW's decoupled weight decay.
    public let decoupledWeightDecay: Bool
    /// Steps taken.
    public private(set) var stepCount = 0
    /// A multiplier of `learningRate` per parameter (PyTorch's parameter groups), all 1 at first; 0 freezes a
    /// parameter (no update, no decay). Set with ``setLearningRateScale(_:where:)``.
    public private(set) var learningRateScales: [Float]
    private var firstMoments: [[Float]]
    private var secondMoments: [[Float]]

    /// An Adam (or AdamW) optimizer.
    public init(parameters: [(name: String, tensor: Tensor)], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                eps: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.parameters = parameters; self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2
        self.eps = eps; self.weightDecay = weightDecay; self.decoupledWeightDecay = decoupledWeightDecay
        firstMoments = parameters.map { [Float](repeating: 0, count: $0.tensor.count) }
        secondMoments = firstMoments
        learningRateScales = [Float](repeating: 1, count: parameters.count)
    }

    /// Scales the learning rate (and the decoupled decay) of the parameters whose names satisfy `predicate`.
    /// - Parameters:
    ///   - scale: the multiplier, 0 or more (0 freezes them).
    ///   - predicate: picks parameters by their dotted name.
    /// - Returns: how many parameters it applied to.
    @discardableResult
    public func setLearningRateScale(_ scale: Float, where predicate: (String) -> Bool) -> Int {
        precondition(scale >= 0, "Adam: a learning-rate scale must be 0 or more, got \(scale)")
        var count = 0
        for (index, (name, _)) in parameters.enumerated() where predicate(name) {
            learningRateScales[index] = scale
            count += 1
        }
        return count
    }

    /// AdamW: Adam with decoupled weight decay (PyTorch default `weight_decay = 0.01`).
    public static func adamW(parameters: [(name: String, tensor: Tensor)], learningRate: Float = 1e-3, beta1: Float = 0.9,
                             beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps,
             weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    public func step() {
        stepCount += 1
        let t = Double(stepCount)
        let correction1 = Float(1 - Double.pow(Double(beta1), t))
        let correction2Root = Float((1 - Double.pow(Double(beta2), t)).squareRoot())
        for (index, (_, p)) in parameters.enumerated() {
            let learningRate = learningRate * learningRateScales[index]
            guard learningRate > 0, let g = p.gradValues else { continue }
            let stepSize = learningRate / correction1
            p.withUnsafeMutableBufferPointer { w in
                firstMoments[index].withUnsafeMutableBufferPointer { m in
                    secondMoments[index].withUnsafeMutableBufferPointer { v in
                        for i in 0..<w.count {
                            var gi = g[i]
                            if weightDecay != 0 {
                                if decoupledWeightDecay { w[i] *= 1 - learningRate * weightDecay } else { gi += weightDecay * w[i] }
                            }
                            m[i] = beta1 * m[i] + (1 - beta1) * gi
                            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
                            w[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2Root + eps)
                        }
                    }
                }
            }
        }
    }

    public func stateTensors() -> [String: Tensor] {
        var state: [String: Tensor] = ["step": Tensor(Float(stepCount))]
        for (index, (name, p)) in parameters.enumerated() {
            state["exp_avg." + name] = Tensor(firstMoments[index], shape: p.shape)
            state["exp_avg_sq." + name] = Tensor(secondMoments[index], shape: p.shape)
        }
        return state
    }

    public func loadState(_ state: [String: Tensor]) throws(CheckpointError) {
        let step = try stateScalar(state, "step")
        var m: [[Float]] = [], v: [[Float]] = []
        for (name, p) in parameters {
            m.append(try stateBuffer(state, "exp_avg." + name, like: p))
            v.append(try stateBuffer(state, "exp_avg_sq." + name, like: p))
        }
        stepCount = Int(step)
        firstMoments = m
        secondMoments = v
    }
}

import RealModule
