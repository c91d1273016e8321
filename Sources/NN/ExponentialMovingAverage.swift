import TensorCore

/// An exponential moving average of a model's parameters (Polyak averaging), the weights a trainer validates and
/// exports while the optimizer keeps moving the raw ones: `average ← decay · average + (1 − decay) · weight` after
/// every optimizer step.
///
/// It starts at the parameters' values when it is made (no bias correction: ``update(step:)``, which trainers call, warms
/// the decay up instead), holds one float copy of each
/// parameter (same shapes), and never changes the raw weights except inside ``withAveragedWeights(_:)``, so a run
/// with it takes exactly the optimizer steps of a run without.
///
/// ```swift
/// let average = ExponentialMovingAverage(parameters: model.namedParameters(), decay: 0.999)
/// optimizer.step(); average.update(step: step)
/// let score = try average.withAveragedWeights { try validate(model) }
/// ```
public final class ExponentialMovingAverage {
    /// The averaged parameters, by name, in the model's order.
    public let parameters: [(name: String, tensor: Tensor)]
    /// The weight of the old average at each update, in [0, 1).
    public let decay: Float
    private var averages: [[Float]]

    /// Starts an average at the parameters' current values.
    /// - Parameters:
    ///   - parameters: the model's named parameters (the optimizer's list).
    ///   - decay: in [0, 1); 0.999 averages over about the last 1,000 steps.
    public init(parameters: [(name: String, tensor: Tensor)], decay: Float) {
        precondition(decay >= 0 && decay < 1, "ExponentialMovingAverage: decay \(decay) is outside [0, 1)")
        self.parameters = parameters
        self.decay = decay
        averages = parameters.map { $0.tensor.scalars }
    }

    /// The decay of the update that follows `step` earlier ones: `min(decay, (1 + step) / (10 + step))`, so that
    /// the average follows the weights closely at first and forgets where they started (without it, a 1,000-step
    /// run at 0.999 would still hold 37% of its starting weights in the average).
    public func decay(afterSteps step: Int) -> Float { min(decay, Float(1 + step) / Float(10 + step)) }

    /// Moves every average toward its parameter's current value (call after each optimizer step) with the warmed-up
    /// decay of ``decay(afterSteps:)``, `step` being the number of earlier steps (the trainer's step index).
    public func update(step: Int) { update(decay: decay(afterSteps: step)) }

    /// Moves every average toward its parameter's current value with the full ``decay``.
    public func update() { update(decay: decay) }

    private func update(decay: Float) {
        let keep = decay, take = 1 - decay
        for (index, (_, p)) in parameters.enumerated() {
            p.withUnsafeMutableBufferPointer { w in
                averages[index].withUnsafeMutableBufferPointer { a in
                    for i in 0..<a.count { a[i] = keep * a[i] + take * w[i] }
                }
            }
        }
    }

    /// Runs `body` with the averaged values in the parameters, then puts the raw values back (also when `body`
    /// throws).
    public func withAveragedWeights<T>(_ body: () throws -> T) rethrows -> T {
        let raw = parameters.map { $0.tensor.scalars }
        for (index, (_, p)) in parameters.enumerated() { p.assign(averages[index]) }
        defer { for (index, (_, p)) in parameters.enumerated() { p.assign(raw[index]) } }
        return try body()
    }

    /// The averages as tensors keyed by parameter name (shapes of the parameters), for a checkpoint.
    public func stateTensors() -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        for (index, (name, p)) in parameters.enumerated() { state[name] = Tensor(averages[index], shape: p.shape) }
        return state
    }

    /// Restores averages saved by ``stateTensors()``; every parameter must be present with its shape.
    /// - Throws: ``CheckpointError`` listing missing or unexpected keys and shape mismatches; nothing is changed then.
    public func loadState(_ state: [String: Tensor]) throws(CheckpointError) {
        var problems: [CheckpointError] = []
        let names = Set(parameters.map(\.name))
        let missing = parameters.map(\.name).filter { state[$0] == nil }.sorted()
        let unexpected = state.keys.filter { !names.contains($0) }.sorted()
        if !missing.isEmpty { problems.append(.missingKeys(missing)) }
        if !unexpected.isEmpty { problems.append(.unexpectedKeys(unexpected)) }
        for (name, p) in parameters {
            if let saved = state[name], saved.shape != p.shape {
                problems.append(.shapeMismatch(key: name, expected: p.shape, actual: saved.shape))
            }
        }
        if problems.count == 1 { throw problems[0] }
        if problems.count > 1 { throw .multiple(problems) }
        averages = parameters.map { state[$0.name]!.scalars }
    }
}
