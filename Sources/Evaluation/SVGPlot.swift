import Foundation

/// Small dependency-free SVG charts for the evaluation reports: histograms, line plots (DET curves) and heat maps
/// (confusion matrices), with axes, ticks, grid, labels and a title. The output is a complete standalone SVG
/// document.
///
/// ```swift
/// let svg = SVGPlot(title: "SI-SNRi", xLabel: "SI-SNRi (dB)", yLabel: "utterances").histogram(values, bins: 20)
/// ```
public struct SVGPlot: Sendable {
    /// The title above the plot.
    public var title: String
    /// The horizontal axis' label.
    public var xLabel: String
    /// The vertical axis' label.
    public var yLabel: String
    /// Image width (px).
    public var width = 640
    /// Image height (px).
    public var height = 420

    /// Colours of successive series (and the bars).
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    static let margin = (left: 72.0, right: 24.0, top: 40.0, bottom: 56.0)

    /// A plot with a title and axis labels, 640 × 420 px (change ``width`` / ``height`` before drawing).
    public init(title: String, xLabel: String, yLabel: String) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// A histogram of `values` in `bins` equal-width bins spanning their range (non-finite values are skipped).
    /// - Parameters:
    ///   - values: `[n]` samples.
    ///   - bins: number of bars, at least 1.
    /// - Returns: the SVG document; with no finite value, axes and a "no data" note.
    public func histogram(_ values: [Double], bins: Int = 30) -> String {
        let finite = values.filter(\.isFinite)
        let binCount = max(1, bins)
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if high - low < 1e-12 { low -= 0.5; high += 0.5 }
        let width = (high - low) / Double(binCount)
        var counts = [Int](repeating: 0, count: binCount)
        for v in finite { counts[min(binCount - 1, Int((v - low) / width))] += 1 }
        let xAxis = Axis(covering: [low, high], scale: .linear)
        let yAxis = Axis(covering: counts.map(Double.init) + [0], scale: .linear)
        var body = ""
        for (b, count) in counts.enumerated() where count > 0 {
            let x0 = x(low + Double(b) * width, xAxis), x1 = x(low + Double(b + 1) * width, xAxis)
            let y0 = y(Double(count), yAxis), y1 = y(0, yAxis)
            body += "<rect x=\"\(Self.coordinate(x0))\" y=\"\(Self.coordinate(y0))\" width=\"\(Self.coordinate(max(0.5, x1 - x0 - 1)))\" height=\"\(Self.coordinate(y1 - y0))\" fill=\"\(Self.palette[0])\" fill-opacity=\"0.8\"><title>\(Self.number(low + Double(b) * width, decimals: 2))…\(Self.number(low + Double(b + 1) * width, decimals: 2)): \(count)</title></rect>\n"
        }
        if finite.isEmpty { body += noData() }
        return document(axes(xAxis, yAxis) + body)
    }

    /// Lines through the points of each series, with a legend.
    /// - Parameters:
    ///   - series: the lines; non-finite points are skipped.
    ///   - xScale: the horizontal axis' scale (DET curves use ``AxisScale/logarithmic`` for false accepts per hour).
    ///   - yScale: the vertical axis' scale.
    /// - Returns: the SVG document.
    public func lines(_ series: [PlotSeries], xScale: AxisScale = .linear, yScale: AxisScale = .linear) -> String {
        let xAxis = Axis(covering: series.flatMap(\.x), scale: xScale)
        let yAxis = Axis(covering: series.flatMap(\.y), scale: yScale)
        var body = ""
        for (s, line) in series.enumerated() {
            let color = Self.palette[s % Self.palette.count]
            let points = zip(line.x, line.y).filter { $0.0.isFinite && $0.1.isFinite }
                .map { "\(Self.coordinate(x($0.0, xAxis))),\(Self.coordinate(y($0.1, yAxis)))" }
            if points.count == 1 {
                let p = points[0].split(separator: ",")
                body += "<circle cx=\"\(p[0])\" cy=\"\(p[1])\" r=\"3\" fill=\"\(color)\"/>\n"
            } else if !points.isEmpty {
                body += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
            }
            let legendY = Self.margin.top + 16 + 18 * Double(s)
            let legendX = Double(width) - Self.margin.right - 150
            body += "<line x1=\"\(Self.coordinate(legendX))\" y1=\"\(Self.coordinate(legendY - 4))\" x2=\"\(Self.coordinate(legendX + 20))\" y2=\"\(Self.coordinate(legendY - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            body += "<text x=\"\(Self.coordinate(legendX + 26))\" y=\"\(Self.coordinate(legendY))\" font-size=\"12\">\(Self.escaped(line.name))</text>\n"
        }
        if series.allSatisfy({ $0.x.isEmpty }) { body += noData() }
        return document(axes(xAxis, yAxis) + body)
    }

    /// A matrix as coloured cells (white for 0 to dark blue for the largest value) with each value written in its
    /// cell: rows top to bottom, columns left to right. ``xLabel`` names the columns, ``yLabel`` the rows.
    /// - Parameters:
    ///   - matrix: `[rows][columns]` values (a confusion matrix: true class by row, predicted by column).
    ///   - rowLabels: `[rows]` names.
    ///   - columnLabels: `[columns]` names.
    ///   - decimals: digits after the point in the cells.
    /// - Returns: the SVG document.
    public func heatMap(_ matrix: [[Double]], rowLabels: [String], columnLabels: [String], decimals: Int = 0) -> String {
        let rows = matrix.count, columns = matrix.first?.count ?? 0
        let labelWidth = 8.0 * Double(rowLabels.map(\.count).max() ?? 0) + 16
        let left = max(Self.margin.left, labelWidth + 24)
        let bottomSpace = 7.0 * Double(columnLabels.map(\.count).max() ?? 0) + 40
        let plotWidth = Double(width) - left - Self.margin.right
        let plotHeight = Double(height) - Self.margin.top - bottomSpace
        let cellWidth = plotWidth / Double(max(1, columns)), cellHeight = plotHeight / Double(max(1, rows))
        let largest = matrix.flatMap { $0 }.filter(\.isFinite).max() ?? 0
        var body = ""
        for r in 0..<rows {
            for c in 0..<columns {
                let value = matrix[r][c]
                let level = largest > 0 && value.isFinite ? max(0, value / largest) : 0
                let x0 = left + Double(c) * cellWidth, y0 = Self.margin.top + Double(r) * cellHeight
                let shade = { (from: Double, to: Double) in Int((from + (to - from) * level).rounded()) }
                let fill = String(format: "#%02x%02x%02x", shade(255, 8), shade(255, 48), shade(255, 107))
                body += "<rect x=\"\(Self.coordinate(x0))\" y=\"\(Self.coordinate(y0))\" width=\"\(Self.coordinate(cellWidth))\" height=\"\(Self.coordinate(cellHeight))\" fill=\"\(fill)\" stroke=\"#ffffff\"/>\n"
                if cellWidth >= 14 && cellHeight >= 10 {
                    body += "<text x=\"\(Self.coordinate(x0 + cellWidth / 2))\" y=\"\(Self.coordinate(y0 + cellHeight / 2 + 4))\" font-size=\"\(min(12, Int(cellHeight * 0.6)))\" text-anchor=\"middle\" fill=\"\(level > 0.5 ? "#ffffff" : "#000000")\">\(Self.number(value, decimals: decimals))</text>\n"
                }
            }
        }
        for (r, label) in rowLabels.prefix(rows).enumerated() {
            body += "<text x=\"\(Self.coordinate(left - 6))\" y=\"\(Self.coordinate(Self.margin.top + (Double(r) + 0.5) * cellHeight + 4))\" font-size=\"12\" text-anchor=\"end\">\(Self.escaped(label))</text>\n"
        }
        let labelTop = Self.margin.top + plotHeight + 8
        for (c, label) in columnLabels.prefix(columns).enumerated() {
            let cx = left + (Double(c) + 0.5) * cellWidth
            body += "<text x=\"\(Self.coordinate(cx))\" y=\"\(Self.coordinate(labelTop))\" font-size=\"12\" text-anchor=\"end\" transform=\"rotate(-45 \(Self.coordinate(cx)) \(Self.coordinate(labelTop)))\">\(Self.escaped(label))</text>\n"
        }
        body += "<text x=\"\(Self.coordinate(left + plotWidth / 2))\" y=\"\(height - 8)\" font-size=\"13\" text-anchor=\"middle\">\(Self.escaped(xLabel))</text>\n"
        body += "<text x=\"14\" y=\"\(Self.coordinate(Self.margin.top + plotHeight / 2))\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(Self.coordinate(Self.margin.top + plotHeight / 2)))\">\(Self.escaped(yLabel))</text>\n"
        return document(body)
    }

    // MARK: - Frame

    var plotWidth: Double { Double(width) - Self.margin.left - Self.margin.right }
    var plotHeight: Double { Double(height) - Self.margin.top - Self.margin.bottom }
    func x(_ value: Double, _ axis: Axis) -> Double { Self.margin.left + axis.fraction(value) * plotWidth }
    func y(_ value: Double, _ axis: Axis) -> Double { Self.margin.top + (1 - axis.fraction(value)) * plotHeight }

    /// Frame, grid, ticks, tick labels and axis labels.
    func axes(_ xAxis: Axis, _ yAxis: Axis) -> String {
        let left = Self.margin.left, top = Self.margin.top, right = left + plotWidth, bottom = top + plotHeight
        var svg = "<rect x=\"\(Self.coordinate(left))\" y=\"\(Self.coordinate(top))\" width=\"\(Self.coordinate(plotWidth))\" height=\"\(Self.coordinate(plotHeight))\" fill=\"none\" stroke=\"#000000\"/>\n"
        for tick in xAxis.ticks {
            let px = Self.coordinate(x(tick.value, xAxis))
            svg += "<line x1=\"\(px)\" y1=\"\(Self.coordinate(top))\" x2=\"\(px)\" y2=\"\(Self.coordinate(bottom))\" stroke=\"#dddddd\"/>\n"
            svg += "<line x1=\"\(px)\" y1=\"\(Self.coordinate(bottom))\" x2=\"\(px)\" y2=\"\(Self.coordinate(bottom + 5))\" stroke=\"#000000\"/>\n"
            svg += "<text x=\"\(px)\" y=\"\(Self.coordinate(bottom + 18))\" font-size=\"11\" text-anchor=\"middle\">\(tick.label)</text>\n"
        }
        for tick in yAxis.ticks {
            let py = Self.coordinate(y(tick.value, yAxis))
            svg += "<line x1=\"\(Self.coordinate(left))\" y1=\"\(py)\" x2=\"\(Self.coordinate(right))\" y2=\"\(py)\" stroke=\"#dddddd\"/>\n"
            svg += "<line x1=\"\(Self.coordinate(left - 5))\" y1=\"\(py)\" x2=\"\(Self.coordinate(left))\" y2=\"\(py)\" stroke=\"#000000\"/>\n"
            svg += "<text x=\"\(Self.coordinate(left - 8))\" y=\"\(py)\" dy=\"4\" font-size=\"11\" text-anchor=\"end\">\(tick.label)</text>\n"
        }
        svg += "<text x=\"\(Self.coordinate(left + plotWidth / 2))\" y=\"\(height - 12)\" font-size=\"13\" text-anchor=\"middle\">\(Self.escaped(xLabel))</text>\n"
        svg += "<text x=\"16\" y=\"\(Self.coordinate(top + plotHeight / 2))\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(Self.coordinate(top + plotHeight / 2)))\">\(Self.escaped(yLabel))</text>\n"
        return svg
    }

    func noData() -> String {
        "<text x=\"\(Self.coordinate(Self.margin.left + plotWidth / 2))\" y=\"\(Self.coordinate(Self.margin.top + plotHeight / 2))\" font-size=\"14\" text-anchor=\"middle\" fill=\"#888888\">no data</text>\n"
    }

    /// The SVG root with a white background and the title around `body`.
    func document(_ body: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif">
        <rect width="100%" height="100%" fill="#ffffff"/>
        <text x="\(width / 2)" y="24" font-size="15" font-weight="bold" text-anchor="middle">\(Self.escaped(title))</text>

        """ + body + "</svg>\n"
    }
}
