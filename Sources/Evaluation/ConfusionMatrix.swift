import Foundation

/// Counts of (true class, predicted class) pairs of a classifier, with accuracy, per-class accuracy, a text table and
/// an SVG heat map.
///
/// Shape: `counts[truth][prediction]`, `[classCount][classCount]`.
///
/// ```swift
/// let matrix = try ConfusionMatrix(labels: ["yes", "no"], truth: [0, 1, 1], predictions: [0, 1, 0])
/// matrix.accuracy          // 0.666…
/// print(matrix.textTable())
/// ```
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    /// Class names, in class-index order.
    public var labels: [String]
    /// `counts[t][p]`: examples of class `t` predicted as `p`.
    public var counts: [[Int]]

    /// An empty matrix over `labels`.
    public init(labels: [String]) {
        self.labels = labels
        counts = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
    }

    /// The matrix of paired class indices.
    /// - Parameters:
    ///   - labels: class names, `[classCount]`.
    ///   - truth: true class per example, `[n]`.
    ///   - predictions: predicted class per example, `[n]`.
    /// - Throws: ``EvaluationError/lengthMismatch(item:what:expected:actual:)`` for unequal counts,
    ///   ``EvaluationError/unknownClass(item:index:classCount:)`` for an index outside `labels`.
    public init(labels: [String], truth: [Int], predictions: [Int]) throws(EvaluationError) {
        guard truth.count == predictions.count else {
            throw .lengthMismatch(item: "confusion matrix", what: "the predictions", expected: truth.count, actual: predictions.count)
        }
        self.init(labels: labels)
        for (i, (t, p)) in zip(truth, predictions).enumerated() {
            try add(truth: t, prediction: p, item: "example \(i + 1)")
        }
    }

    /// Counts one example.
    /// - Throws: ``EvaluationError/unknownClass(item:index:classCount:)`` naming `item`.
    public mutating func add(truth: Int, prediction: Int, item: String = "example") throws(EvaluationError) {
        for index in [truth, prediction] where !labels.indices.contains(index) {
            throw .unknownClass(item: item, index: index, classCount: labels.count)
        }
        counts[truth][prediction] += 1
    }

    /// Number of examples.
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    /// Number of correctly classified examples (the diagonal).
    public var correct: Int { labels.indices.reduce(0) { $0 + counts[$1][$1] } }
    /// `correct / total` in `0...1` (0 for an empty matrix).
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    /// Per class, the share of its examples classified correctly (its recall), `[classCount]`; `nil` for a class
    /// with no examples.
    public var perClassAccuracy: [Double?] {
        labels.indices.map { c in
            let n = counts[c].reduce(0, +)
            return n == 0 ? nil : Double(counts[c][c]) / Double(n)
        }
    }

    /// The mean of the defined per-class accuracies (balanced accuracy), 0 when no class has examples.
    public var balancedAccuracy: Double {
        let defined = perClassAccuracy.compactMap { $0 }
        return defined.isEmpty ? 0 : defined.reduce(0, +) / Double(defined.count)
    }

    /// The most classes ``textTable()`` draws as a table; a larger task (a word vocabulary) is summarized.
    public static let tableClassLimit = 40

    /// The off-diagonal cells with the most examples, most first (ties in class order), at most `limit`:
    /// `(truth, prediction, count)`.
    public func mostConfused(limit: Int) -> [(truth: Int, prediction: Int, count: Int)] {
        var cells: [(truth: Int, prediction: Int, count: Int)] = []
        for t in labels.indices { for p in labels.indices where p != t && counts[t][p] > 0 { cells.append((t, p, counts[t][p])) } }
        return Array(cells.sorted { $0.count != $1.count ? $0.count > $1.count : ($0.truth, $0.prediction) < ($1.truth, $1.prediction) }.prefix(limit))
    }

    /// The matrix as aligned text: one row per true class, one column per predicted class, then the row's
    /// accuracy and its number of examples; a last line with the overall accuracy. Beyond ``tableClassLimit``
    /// classes, the 20 most frequent confusions take the table's place.
    public func textTable() -> String {
        let summary = String(format: "accuracy %.2f%% (%d of %d), balanced %.2f%%", 100 * accuracy, correct, total, 100 * balancedAccuracy)
        if labels.count > Self.tableClassLimit {
            let confused = mostConfused(limit: 20)
            let lines = ["\(labels.count) classes (no table beyond \(Self.tableClassLimit); the report's JSON has the matrix); most frequent confusions:"]
                + confused.map { "  \(labels[$0.truth]) -> \(labels[$0.prediction])  \($0.count)" }
            return (lines + [summary]).joined(separator: "\n") + "\n"
        }
        let corner = "true \\ predicted"
        let nameWidth = max(corner.count, labels.map(\.count).max() ?? 0)
        let widths = labels.indices.map { c in max(labels[c].count, String(counts.map { $0[c] }.max() ?? 0).count) }
        func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, w - s.count))
            return left ? s + fill : fill + s
        }
        var lines = [pad(corner, nameWidth, left: true) + "  " + labels.indices.map { pad(labels[$0], widths[$0]) }.joined(separator: " ") + "  accuracy  examples"]
        for (t, label) in labels.enumerated() {
            let accuracy = perClassAccuracy[t].map { String(format: "%.1f%%", 100 * $0) } ?? "-"
            lines.append(pad(label, nameWidth, left: true) + "  " + labels.indices.map { pad(String(counts[t][$0]), widths[$0]) }.joined(separator: " ") + "  " + pad(accuracy, 8)
                + "  " + pad(String(counts[t].reduce(0, +)), 8))
        }
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The matrix as an SVG heat map, true classes by row and predictions by column.
    /// - Parameter normalized: colour and label each row as percentages of that class' examples (else raw counts).
    public func heatMapSVG(normalized: Bool = true, title: String = "Confusion matrix") -> String {
        let values = counts.map { row -> [Double] in
            let n = row.reduce(0, +)
            return row.map { normalized ? (n == 0 ? 0 : 100 * Double($0) / Double(n)) : Double($0) }
        }
        var plot = SVGPlot(title: title, xLabel: "predicted", yLabel: "true")
        plot.width = max(480, 120 + 44 * labels.count)
        plot.height = max(400, 140 + 30 * labels.count)
        return plot.heatMap(values, rowLabels: labels, columnLabels: labels, decimals: 0)
    }
}
