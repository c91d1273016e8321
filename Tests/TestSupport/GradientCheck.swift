import TensorCore

/// Central-difference gradient checking for TensorCore ops (ggml `test-backend-ops`, tinygrad `helper_test_op`).
///
/// The scalar checked is `L = Σ op(inputs) · r` with a fixed random `r`, accumulated in `Double`;
/// its analytic gradient comes from `backward()`, its numeric gradient from `(L(x+ε) − L(x−ε)) / 2ε`.
public enum GradientCheck {
    /// The worst disagreement found for one input.
    public struct Report: Sendable, CustomStringConvertible {
        /// Which input (index into the `inputs` array).
        public let input: Int
        /// The element with the largest error.
        public let element: Int
        /// The analytic gradient there.
        public let analytic: Double
        /// The numeric gradient there.
        public let numeric: Double
        /// `|analytic − numeric| / max(1, |numeric|)`.
        public let error: Double
        /// The number of elements compared (skipped elements excluded).
        public let compared: Int

        public var description: String {
            "input \(input) element \(element): analytic \(analytic) vs numeric \(numeric) (error \(error), \(compared) compared)"
        }
    }

    /// Compares analytic and numeric gradients of `op` for every input that requires a gradient.
    /// - Parameters:
    ///   - inputs: leaves; those with `requiresGrad` are checked.
    ///   - eps: the finite-difference step.
    ///   - seed: seeds the random projection `r`.
    ///   - skip: return true for `(input, element, value)` points near a kink (ReLU at 0, abs at 0, max ties).
    ///   - op: the computation under test.
    /// - Returns: one report per checked input (the element with the largest error).
    public static func check(
        _ inputs: [Tensor], eps: Float = 1e-3, seed: UInt64 = 7,
        skip: (Int, Int, Float) -> Bool = { _, _, _ in false }, op: ([Tensor]) -> Tensor
    ) -> [Report] {
        for x in inputs { x.zeroGrad() }
        let probe = op(inputs)
        var rng = SplitMix64(seed: seed)
        let r = Tensor.randomNormal(probe.shape, using: &rng)
        let loss = (probe * r).sum()
        loss.backward()
        let rValues = r.scalars
        func evaluate() -> Double {
            let y = Autograd.withNoGrad { op(inputs) }.scalars
            var s = 0.0
            for i in y.indices { s += Double(y[i]) * Double(rValues[i]) }
            return s
        }
        var reports: [Report] = []
        for (index, x) in inputs.enumerated() where x.requiresGrad {
            let analytic = x.grad?.scalars ?? [Float](repeating: 0, count: x.count)
            let original = x.scalars
            var worst = Report(input: index, element: -1, analytic: 0, numeric: 0, error: 0, compared: 0)
            var compared = 0
            for i in 0..<x.count {
                if skip(index, i, original[i]) { continue }
                compared += 1
                var v = original
                v[i] = original[i] + eps
                x.assign(v)
                let plus = evaluate()
                v[i] = original[i] - eps
                x.assign(v)
                let minus = evaluate()
                x.assign(original)
                let numeric = (plus - minus) / (2 * Double(eps))
                let a = Double(analytic[i])
                let error = Swift.abs(a - numeric) / Swift.max(1, Swift.abs(numeric))
                if error >= worst.error || worst.element < 0 {
                    worst = Report(input: index, element: i, analytic: a, numeric: numeric, error: error, compared: 0)
                }
            }
            reports.append(Report(input: index, element: worst.element, analytic: worst.analytic,
                                  numeric: worst.numeric, error: worst.error, compared: compared))
        }
        return reports
    }
}
