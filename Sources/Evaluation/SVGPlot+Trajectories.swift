import Foundation

extension SVGPlot {
    /// Trajectories in a plane: one polyline per series in its palette colour (the legend names it), with a dot at
    /// every point coloured by the point's `times` value from light yellow (earliest) to dark purple (latest), and
    /// a colour bar for the times. This is the information plane of Shwartz-Ziv & Tishby: one line per layer, dots
    /// by training step.
    /// - Parameters:
    ///   - series: the lines; non-finite points are skipped.
    ///   - times: per series, `[n]` values (training steps) colouring its points, as many as its points.
    ///   - timeLabel: the colour bar's label (e.g. "step").
    /// - Returns: the SVG document.
    /// - Precondition: `times.count == series.count` and each `times[i].count == series[i].x.count`.
    public func trajectories(_ series: [PlotSeries], times: [[Double]], timeLabel: String) -> String {
        precondition(times.count == series.count && zip(times, series).allSatisfy { $0.count == $1.x.count })
        let xAxis = Axis(covering: series.flatMap(\.x), scale: .linear)
        let yAxis = Axis(covering: series.flatMap(\.y), scale: .linear)
        let allTimes = times.flatMap { $0 }.filter(\.isFinite)
        let first = allTimes.min() ?? 0, last = allTimes.max() ?? 1
        func shade(_ t: Double) -> String { Self.timeColour(last > first ? (t - first) / (last - first) : 1) }
        var body = ""
        for (s, line) in series.enumerated() {
            let color = Self.palette[s % Self.palette.count]
            let points = zip(zip(line.x, line.y), times[s]).filter { $0.0.0.isFinite && $0.0.1.isFinite }
                .map { (px: x($0.0.0, xAxis), py: y($0.0.1, yAxis), t: $0.1) }
            if points.count > 1 {
                let coordinates = points.map { "\(Self.coordinate($0.px)),\(Self.coordinate($0.py))" }.joined(separator: " ")
                body += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" stroke-opacity=\"0.8\" points=\"\(coordinates)\"/>\n"
            }
            for p in points {
                body += "<circle cx=\"\(Self.coordinate(p.px))\" cy=\"\(Self.coordinate(p.py))\" r=\"4\" fill=\"\(shade(p.t))\" stroke=\"\(color)\" stroke-width=\"1.5\"><title>\(Self.escaped(line.name)) \(Self.escaped(timeLabel)) \(Self.number(p.t, decimals: 0))</title></circle>\n"
            }
            let legendY = Self.margin.top + 16 + 18 * Double(s)
            let legendX = Double(width) - Self.margin.right - 150
            body += "<line x1=\"\(Self.coordinate(legendX))\" y1=\"\(Self.coordinate(legendY - 4))\" x2=\"\(Self.coordinate(legendX + 20))\" y2=\"\(Self.coordinate(legendY - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            body += "<text x=\"\(Self.coordinate(legendX + 26))\" y=\"\(Self.coordinate(legendY))\" font-size=\"12\">\(Self.escaped(line.name))</text>\n"
        }
        // The colour bar: ten swatches from the first to the last time, under the legend.
        let barX = Double(width) - Self.margin.right - 150, barY = Self.margin.top + 24 + 18 * Double(series.count)
        for k in 0..<10 {
            body += "<rect x=\"\(Self.coordinate(barX + 12 * Double(k)))\" y=\"\(Self.coordinate(barY))\" width=\"12\" height=\"10\" fill=\"\(Self.timeColour(Double(k) / 9))\"/>\n"
        }
        body += "<text x=\"\(Self.coordinate(barX))\" y=\"\(Self.coordinate(barY + 24))\" font-size=\"11\">\(Self.escaped(timeLabel)) \(Self.number(first, decimals: 0))</text>\n"
        body += "<text x=\"\(Self.coordinate(barX + 120))\" y=\"\(Self.coordinate(barY + 24))\" font-size=\"11\" text-anchor=\"end\">\(Self.number(last, decimals: 0))</text>\n"
        if series.allSatisfy({ $0.x.isEmpty }) { body += noData() }
        return document(axes(xAxis, yAxis) + body)
    }

    /// A colour from light yellow (`f = 0`) to dark purple (`f = 1`), linearly in RGB.
    static func timeColour(_ f: Double) -> String {
        let f = min(1, max(0, f.isFinite ? f : 1))
        let from = (253.0, 231.0, 37.0), to = (68.0, 1.0, 84.0)
        let r = Int((from.0 + (to.0 - from.0) * f).rounded()), g = Int((from.1 + (to.1 - from.1) * f).rounded())
        let b = Int((from.2 + (to.2 - from.2) * f).rounded())
        return String(format: "#%02x%02x%02x", r, g, b)
    }
}
