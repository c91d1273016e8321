/// Reverse-mode automatic differentiation: the recording switch and the backward pass.
///
/// Ops record their parents and a backward rule only when gradients are enabled (the default) and at
/// least one input ``Tensor/requiresGrad``. Inside ``withNoGrad(_:)`` (or ``withInferenceMode(_:)``)
/// nothing is recorded, so intermediate results are freed as soon as they go out of scope.
public enum Autograd {
    /// Whether ops record the graph in the current task (a task-local, so concurrent tasks do not interfere).
    @TaskLocal public static var isGradEnabled: Bool = true

    /// Whether the current task is in inference mode (no graph, training-only behaviour such as dropout off).
    @TaskLocal public static var isInferenceMode: Bool = false

    /// Runs `body` without recording any graph.
    /// - Parameter body: the computation.
    /// - Returns: what `body` returns.
    public static func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
        try $isGradEnabled.withValue(false) { try body() }
    }

    /// Runs `body` in inference mode: no graph, and ops that behave differently in training (dropout) are off.
    /// Pair it with the `into:` kernels of ``Inference`` and preallocated tensors to allocate nothing per call.
    /// - Parameter body: the computation.
    /// - Returns: what `body` returns.
    public static func withInferenceMode<R>(_ body: () throws -> R) rethrows -> R {
        try $isGradEnabled.withValue(false) { try $isInferenceMode.withValue(true) { try body() } }
    }

    /// Whether an op with these inputs must record a backward rule.
    @inline(__always)
    package static func shouldRecord(_ inputs: Tensor...) -> Bool {
        guard isGradEnabled else { return false }
        for t in inputs where t.requiresGrad { return true }
        return false
    }

    /// Whether an op with these inputs must record a backward rule.
    @inline(__always)
    package static func shouldRecord(_ inputs: [Tensor]) -> Bool {
        guard isGradEnabled else { return false }
        for t in inputs where t.requiresGrad { return true }
        return false
    }
}

extension Tensor {
    /// Attaches the graph edge `parents -> self` with its backward rule.
    /// - Parameters:
    ///   - parents: the op inputs, in the order the rule returns their gradients.
    ///   - rule: maps the gradient of `self` (shape ``shape``) to one gradient per parent (of that parent's
    ///     shape, or `nil` when that parent needs none). It runs with recording off, so it may use any op.
    ///     It must not capture `self` (that would be a reference cycle); capture `self.storage` instead.
    package func record(_ parents: [Tensor], _ rule: @escaping (Tensor) -> [Tensor?]) {
        self.requiresGrad = true
        self.parents = parents
        self.backwardRule = rule
    }

    /// Back-propagates from this tensor, accumulating (`+=`) into the ``grad`` of every leaf that requires one.
    ///
    /// Gradients accumulate over fan-out (a tensor used twice receives the sum) and across calls (call
    /// ``zeroGrad()`` or an optimizer's `zeroGrad()` between steps).
    /// - Parameters:
    ///   - seed: the gradient of the final result, shape ``shape``; defaults to ones (a scalar loss gets 1).
    ///   - retainGraph: keep the recorded graph so `backward` can run again; by default the graph is freed.
    public func backward(_ seed: Tensor? = nil, retainGraph: Bool = false) {
        precondition(requiresGrad, "backward() on a tensor that does not require a gradient")
        let seedValues: [Float]
        if let seed {
            precondition(seed.shape == shape, "Seed shape \(seed.shape) != tensor shape \(shape)")
            seedValues = seed.scalars
        } else {
            seedValues = [Float](repeating: 1, count: count)
        }
        Autograd.withNoGrad { runBackward(seedValues, retainGraph: retainGraph) }
    }

    private func runBackward(_ seedValues: [Float], retainGraph: Bool) {
        let order = topologicalOrder()
        var pending: [ObjectIdentifier: [Float]] = [ObjectIdentifier(self): seedValues]
        for node in order.reversed() {
            guard let g = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            guard let rule = node.backwardRule else {
                node.accumulateGrad(g)
                continue
            }
            let parentGrads = rule(Tensor(g, shape: node.shape))
            precondition(parentGrads.count == node.parents.count, "Backward rule returned the wrong number of gradients")
            for (parent, pg) in zip(node.parents, parentGrads) {
                guard parent.requiresGrad, let pg else { continue }
                precondition(pg.count == parent.count, "Backward rule gradient \(pg.shape) for parent \(parent.shape)")
                let key = ObjectIdentifier(parent)
                if var existing = pending.removeValue(forKey: key) {
                    Elementwise.addInPlace(&existing, pg.scalars)
                    pending[key] = existing
                } else {
                    pending[key] = pg.scalars
                }
            }
            if !retainGraph {
                node.backwardRule = nil
                node.parents = []
                node.requiresGrad = false
            }
        }
    }

    /// Adds `g` into ``gradValues``.
    package func accumulateGrad(_ g: [Float]) {
        if gradValues == nil {
            gradValues = g
        } else {
            Elementwise.addInPlace(&gradValues!, g)
        }
    }

    /// Nodes reachable from `self` through recorded edges, parents before children (iterative DFS).
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            if next < node.parents.count {
                stack.append((node, next + 1))
                let parent = node.parents[next]
                if parent.requiresGrad && visited.insert(ObjectIdentifier(parent)).inserted {
                    stack.append((parent, 0))
                }
            } else {
                order.append(node)
            }
        }
        return order
    }
}
