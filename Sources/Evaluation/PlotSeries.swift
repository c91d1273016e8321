/// One named line of an ``SVGPlot`` line plot: points `(x[i], y[i])`, drawn in order.
public struct PlotSeries: Sendable, Equatable {
    /// The legend entry.
    public var name: String
    /// Horizontal coordinates, `[n]`.
    public var x: [Double]
    /// Vertical coordinates, `[n]` (as many as `x`).
    public var y: [Double]

    /// - Precondition: `x.count == y.count`.
    public init(name: String, x: [Double], y: [Double]) {
        precondition(x.count == y.count, "a series needs as many x as y values")
        self.name = name
        self.x = x
        self.y = y
    }
}
