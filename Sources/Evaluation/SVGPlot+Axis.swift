import Foundation
import RealModule

extension SVGPlot {
    /// One axis: its data range, scale, and where its ticks go.
    struct Axis {
        var low: Double, high: Double
        var scale: AxisScale

        /// A range that covers `values` (finite ones; positive ones for a log axis), widened when degenerate.
        init(covering values: [Double], scale: AxisScale, includeZero: Bool = false) {
            self.scale = scale
            var finite = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
            if includeZero && scale == .linear { finite.append(0) }
            var low = finite.min() ?? (scale == .linear ? 0 : 0.1)
            var high = finite.max() ?? (scale == .linear ? 1 : 10)
            switch scale {
            case .linear:
                if high - low < 1e-12 { low -= 0.5; high += 0.5 }
                let step = Self.niceStep((high - low) / 5)
                low = (low / step).rounded(.down) * step
                high = (high / step).rounded(.up) * step
            case .logarithmic:
                low = Double.exp10((Double.log10(low)).rounded(.down))
                high = Double.exp10((Double.log10(high)).rounded(.up))
                if high <= low { high = low * 10 }
            }
            self.low = low
            self.high = high
        }

        /// A step of 1, 2 or 5 times a power of ten, at least `raw`.
        static func niceStep(_ raw: Double) -> Double {
            guard raw > 0, raw.isFinite else { return 1 }
            let magnitude = Double.exp10(Double.log10(raw).rounded(.down))
            for factor in [1.0, 2, 5, 10] where factor * magnitude >= raw * (1 - 1e-9) { return factor * magnitude }
            return 10 * magnitude
        }

        /// The position of `value` in `0...1` along the axis (clamped).
        func fraction(_ value: Double) -> Double {
            let f: Double
            switch scale {
            case .linear: f = (value - low) / (high - low)
            case .logarithmic: f = value > 0 ? (Double.log10(value) - Double.log10(low)) / (Double.log10(high) - Double.log10(low)) : 0
            }
            return f.isFinite ? min(1, max(0, f)) : 0
        }

        /// Tick values and their labels.
        var ticks: [(value: Double, label: String)] {
            switch scale {
            case .linear:
                let step = Self.niceStep((high - low) / 5)
                let decimals = max(0, Int(-Double.log10(step).rounded(.down)))
                var result: [(Double, String)] = []
                var k = (low / step).rounded(.up)
                while k * step <= high + step * 1e-9 {
                    let value = k * step
                    result.append((value, SVGPlot.number(abs(value) < step * 1e-9 ? 0 : value, decimals: decimals)))
                    k += 1
                }
                return result
            case .logarithmic:
                var result: [(Double, String)] = []
                var exponent = Double.log10(low).rounded()
                while Double.exp10(exponent) <= high * (1 + 1e-9) {
                    let value = Double.exp10(exponent)
                    result.append((value, SVGPlot.number(value, decimals: max(0, Int(-exponent)))))
                    exponent += 1
                }
                return result
            }
        }
    }

    /// `value` with a fixed number of decimals.
    static func number(_ value: Double, decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

    /// A coordinate with one decimal.
    static func coordinate(_ value: Double) -> String { String(format: "%.1f", value) }

    /// `text` with XML's special characters escaped.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
