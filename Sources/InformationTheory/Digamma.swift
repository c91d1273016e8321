import Foundation

/// The digamma function `ψ(x) = d/dx ln Γ(x)` for `x > 0`, and a table of its values at the integers.
enum Digamma {
    /// `ψ(x)` for `x > 0`, to about 1e-14: the recurrence `ψ(x) = ψ(x + 1) - 1/x` up to `x >= 10`, then the
    /// asymptotic series `ln x - 1/(2x) - Σ B₂ₖ / (2k x²ᵏ)` to `k = 5`.
    static func value(_ x: Double) -> Double {
        precondition(x > 0, "digamma is used for positive arguments only")
        var x = x
        var result = 0.0
        while x < 10 {
            result -= 1 / x
            x += 1
        }
        let inverseSquare = 1 / (x * x)
        // B2/2 = 1/12, B4/4 = -1/120, B6/6 = 1/252, B8/8 = -1/240, B10/10 = 1/132.
        let series = inverseSquare * (1.0 / 12 - inverseSquare * (1.0 / 120 - inverseSquare * (1.0 / 252
            - inverseSquare * (1.0 / 240 - inverseSquare / 132))))
        return result + log(x) - 0.5 / x - series
    }

    /// `ψ(m)` for `m` in `0...upTo` (entry 0 is unused and holds `-infinity`): `ψ(1) = -γ`, `ψ(m + 1) = ψ(m) + 1/m`.
    static func integerTable(upTo count: Int) -> [Double] {
        var table = [Double](repeating: -.infinity, count: max(count, 1) + 1)
        table[1] = -0.577_215_664_901_532_860_6
        if count >= 2 {
            for m in 1..<count { table[m + 1] = table[m] + 1 / Double(m) }
        }
        return table
    }
}
