import Foundation
import InformationTheory
import TensorCore

/// Seeded samples with known mutual information, and the truths.
enum SyntheticData {
    /// `d` independent pairs `(x_i, y_i)` of standard normals with correlations `rho[i]`: `[n, d]` each.
    /// `I(X;Y) = -½ Σ ln(1 - ρ_i²)`.
    static func correlatedGaussians(n: Int, rho: [Double], seed: UInt64) -> (x: SampleMatrix, y: SampleMatrix, truth: Double) {
        var rng = SplitMix64(seed: seed)
        let d = rho.count
        var xs = [Double](), ys = [Double]()
        for _ in 0..<n {
            for r in rho {
                let a = normal(&rng), b = normal(&rng)
                xs.append(a)
                ys.append(r * a + (1 - r * r).squareRoot() * b)
            }
        }
        let truth = rho.reduce(0) { $0 - 0.5 * log(1 - $1 * $1) }
        return (SampleMatrix(rows: n, columns: d, values: xs), SampleMatrix(rows: n, columns: d, values: ys), truth)
    }

    /// `X ~ U(0, 1)`, `Y = X + N`, `N ~ U(0, a)`, each `[n, 1]`.
    ///
    /// `I(X;Y) = h(Y) - h(N) = h(Y) - ln a`. For `a ≤ 1`, `Y` has the trapezoid density `y/a` on `[0, a)`, 1 on
    /// `[a, 1)`, `(1 + a - y)/a` on `[1, 1 + a]`; its two ramps contribute `-2 ∫₀ᵃ (y/a) ln(y/a) dy = a/2`, the flat
    /// part nothing, so `I = a/2 - ln a`. For `a ≥ 1` the ramps have height `1/a` over width 1 and the flat part
    /// `1/a` over `a - 1`: `h(Y) = 1/(2a) + ln a`, so `I = 1/(2a)`.
    static func uniformPlusNoise(n: Int, a: Double, seed: UInt64) -> (x: SampleMatrix, y: SampleMatrix, truth: Double) {
        var rng = SplitMix64(seed: seed)
        var xs = [Double](), ys = [Double]()
        for _ in 0..<n {
            let x = uniform(&rng)
            xs.append(x)
            ys.append(x + a * uniform(&rng))
        }
        let truth = a <= 1 ? a / 2 - log(a) : 1 / (2 * a)
        return (SampleMatrix(rows: n, columns: 1, values: xs), SampleMatrix(rows: n, columns: 1, values: ys), truth)
    }

    /// A correlated Gaussian pair of `rho.count` dimensions hidden in `dimensionX` / `dimensionY` dimensions: each
    /// variable is `[signal, nuisanceScale · independent normals]` turned by its own random orthogonal matrix.
    /// Rotations are invertible and the nuisance is independent of everything, so `I = -½ Σ ln(1 - ρ_i²)`.
    static func hiddenSubspace(
        n: Int, rho: [Double], dimensionX: Int, dimensionY: Int, nuisanceScale: Double, seed: UInt64
    ) -> (x: SampleMatrix, y: SampleMatrix, truth: Double) {
        let pair = correlatedGaussians(n: n, rho: rho, seed: seed)
        var rng = SplitMix64(seed: seed &+ 1)
        func embed(_ signal: SampleMatrix, dimension: Int) -> SampleMatrix {
            let rotation = randomOrthogonal(dimension, &rng)
            var values = [Double](repeating: 0, count: n * dimension)
            var raw = [Double](repeating: 0, count: dimension)
            for row in 0..<n {
                for c in 0..<dimension {
                    raw[c] = c < signal.columns ? signal[row, c] : nuisanceScale * normal(&rng)
                }
                for r in 0..<dimension {
                    var sum = 0.0
                    for c in 0..<dimension { sum += rotation[r * dimension + c] * raw[c] }
                    values[row * dimension + r] = sum
                }
            }
            return SampleMatrix(rows: n, columns: dimension, values: values)
        }
        return (embed(pair.x, dimension: dimensionX), embed(pair.y, dimension: dimensionY), pair.truth)
    }

    /// `classes` equiprobable labels and 1-D samples `X | c ~ N(spacing · c, 1)`: `[n, 1]` and `[n]`.
    static func gaussianClusters(n: Int, classes: Int, spacing: Double, seed: UInt64) -> (x: SampleMatrix, labels: [Int]) {
        var rng = SplitMix64(seed: seed)
        var xs = [Double](), labels = [Int]()
        for _ in 0..<n {
            let label = Int(rng.next() % UInt64(classes))
            labels.append(label)
            xs.append(spacing * Double(label) + normal(&rng))
        }
        return (SampleMatrix(rows: n, columns: 1, values: xs), labels)
    }

    /// `I(X;Y)` for ``gaussianClusters(n:classes:spacing:seed:)`` with clusters of variance `variance`:
    /// `h(X) - h(X|Y)`, with `h(X|Y) = ½ ln(2πe·variance)` and `h(X) = -∫ p ln p` of the mixture by Simpson's rule
    /// on a fine grid.
    static func clusterTruth(classes: Int, spacing: Double, variance: Double = 1) -> Double {
        let low = -12.0, high = spacing * Double(classes - 1) + 12, steps = 24_000
        let h = (high - low) / Double(steps)
        var integral = 0.0
        for step in 0...steps {
            let x = low + Double(step) * h
            var p = 0.0
            for c in 0..<classes {
                let z = x - spacing * Double(c)
                p += exp(-0.5 * z * z / variance) / (2 * Double.pi * variance).squareRoot() / Double(classes)
            }
            let f = p > 0 ? -p * log(p) : 0
            integral += f * (step == 0 || step == steps ? 1 : step % 2 == 1 ? 4 : 2)
        }
        return integral * h / 3 - 0.5 * log(2 * Double.pi * exp(1) * variance)
    }

    /// A random `d x d` orthogonal matrix (Gram-Schmidt on Gaussian rows), row-major.
    static func randomOrthogonal(_ d: Int, _ rng: inout SplitMix64) -> [Double] {
        var q = (0..<d * d).map { _ in normal(&rng) }
        for r in 0..<d {
            for previous in 0..<r {
                var dot = 0.0
                for c in 0..<d { dot += q[r * d + c] * q[previous * d + c] }
                for c in 0..<d { q[r * d + c] -= dot * q[previous * d + c] }
            }
            var norm = 0.0
            for c in 0..<d { norm += q[r * d + c] * q[r * d + c] }
            norm = norm.squareRoot()
            for c in 0..<d { q[r * d + c] /= norm }
        }
        return q
    }

    /// A standard normal (Box-Muller in Double).
    static func normal(_ rng: inout SplitMix64) -> Double {
        let u1 = max(uniform(&rng), 1e-300), u2 = uniform(&rng)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A uniform double in `[0, 1)` with 53 random bits.
    static func uniform(_ rng: inout SplitMix64) -> Double {
        Double(rng.next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `matrix` with `transform` applied to every value.
    static func mapped(_ matrix: SampleMatrix, _ transform: (Double) -> Double) -> SampleMatrix {
        SampleMatrix(rows: matrix.rows, columns: matrix.columns, values: matrix.values.map(transform))
    }
}
