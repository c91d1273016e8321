/// How an ``SVGPlot`` axis maps values to positions.
public enum AxisScale: String, Sendable, Codable, CaseIterable {
    /// Equal distances for equal differences.
    case linear
    /// Equal distances for equal ratios (decades); values `<= 0` are drawn at the axis' lower end.
    case logarithmic
}
