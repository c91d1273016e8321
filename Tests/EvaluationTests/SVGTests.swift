@testable import Evaluation
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@Suite struct SVGTests {
    /// Whether `svg` parses as XML.
    static func isWellFormed(_ svg: String) throws -> Bool { XMLParser(data: Data(svg.utf8)).parse() }

    @Test func histogramHasBarsTicksAndLabels() throws {
        let svg = SVGPlot(title: "A & B", xLabel: "SI-SNRi (dB)", yLabel: "count").histogram([0, 1, 1, 2, 2, 2], bins: 3)
        #expect(try Self.isWellFormed(svg))
        #expect(svg.components(separatedBy: "<title>").count - 1 == 3)
        #expect(svg.contains("0.00…0.67: 1</title>") && svg.contains("0.67…1.33: 2</title>") && svg.contains("1.33…2.00: 3</title>"))
        for label in ["0.0", "0.5", "1.0", "1.5", "2.0"] { #expect(svg.contains(">\(label)</text>"), "x tick \(label)") }
        for label in ["0", "1", "2", "3"] { #expect(svg.contains(">\(label)</text>"), "y tick \(label)") }
        #expect(svg.contains(">A &amp; B</text>") && svg.contains(">SI-SNRi (dB)</text>"))
        #expect(SVGPlot(title: "t", xLabel: "x", yLabel: "y").histogram([]).contains(">no data</text>"))
    }

    @Test func axesChooseNiceTicks() {
        let linear = SVGPlot.Axis(covering: [-3.2, 17.9], scale: .linear)
        #expect(linear.low == -5 && linear.high == 20)
        #expect(linear.ticks.map(\.label) == ["-5", "0", "5", "10", "15", "20"])
        let log = SVGPlot.Axis(covering: [0, 0.03, 2.5], scale: .logarithmic)
        #expect(log.ticks.map(\.label) == ["0.01", "0.1", "1", "10"])
        #expect(log.fraction(0) == 0 && log.fraction(10) == 1)
    }

    @Test func linesDrawEverySeriesWithALegend() throws {
        let svg = SVGPlot(title: "DET", xLabel: "FA/h", yLabel: "FRR (%)").lines(
            [PlotSeries(name: "model <a>", x: [0.1, 1, 10], y: [30, 10, 2]), PlotSeries(name: "b", x: [1], y: [5])], xScale: .logarithmic)
        #expect(try Self.isWellFormed(svg))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 1 && svg.contains("<circle"))
        #expect(svg.contains(">model &lt;a&gt;</text>"))
    }
}
