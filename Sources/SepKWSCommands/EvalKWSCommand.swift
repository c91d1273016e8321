import ArgumentParser
import AudioDatasets
import AudioIO
import SpeechSynthesis
import Foundation
import KeywordSpotting
import Training

/// The result of evaluating a keyword spotter on a dataset split (the JSON report of `eval-kws`).
struct KWSEvaluationReport: Codable {
    struct ClassResult: Codable {
        var label: String
        var count: Int
        var accuracy: Double
    }
    var model: String
    var data: String
    var split: String
    var examples: Int
    var accuracy: Double
    var perClass: [ClassResult]
    var labels: [String]
    /// `confusion[true][predicted]`.
    var confusion: [[Int]]
    /// Word clips without added noise (from the corpus's clips.csv), when known.
    var cleanAccuracy: Double?
    var cleanExamples: Int?
    /// Word clips with background noise, when known.
    var noisyAccuracy: Double?
    var noisyExamples: Int?
    var windowsPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case model, data, split, examples, accuracy, perClass = "per_class", labels, confusion
        case cleanAccuracy = "clean_accuracy", cleanExamples = "clean_examples", noisyAccuracy = "noisy_accuracy"
        case noisyExamples = "noisy_examples", windowsPerSecond = "windows_per_second"
    }

    var text: String {
        var lines = [String(format: "accuracy %.2f%% (%d examples, %@ split of %@)", accuracy * 100, examples, split, data)]
        if let cleanAccuracy, let cleanExamples, let noisyAccuracy, let noisyExamples {
            lines.append(String(format: "  word clips without noise %.2f%% (%d), with noise %.2f%% (%d)", cleanAccuracy * 100, cleanExamples,
                                noisyAccuracy * 100, noisyExamples))
        }
        lines.append("per class:")
        func padded(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        for c in perClass { lines.append("  " + padded(c.label, 10) + String(format: " %6.2f%% (%d)", c.accuracy * 100, c.count)) }
        lines.append("confusion matrix (rows: true label, columns: predicted, in label order):")
        let width = max(5, (confusion.flatMap { $0 }.max() ?? 0).description.count + 1)
        lines.append(String(repeating: " ", count: 11) + labels.indices.map { String(repeating: " ", count: width - "\($0)".count) + "\($0)" }.joined())
        for (i, row) in confusion.enumerated() {
            let name = String(labels[i].prefix(9))
            lines.append(String(format: "%2d ", i) + padded(name, 8) + row.map { String(repeating: " ", count: width - "\($0)".count) + "\($0)" }.joined())
        }
        return lines.joined(separator: "\n")
    }

    /// The confusion matrix as an SVG heat map (row-normalized shades, counts in cells).
    var svg: String {
        let n = labels.count, cell = n > 14 ? 22 : 40, margin = 90
        let size = margin + n * cell + 20
        func escape(_ s: String) -> String { s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;") }
        var parts = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(size)\" height=\"\(size + 30)\" font-family=\"sans-serif\" font-size=\"\(cell > 30 ? 11 : 8)\">",
                     "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
                     String(format: "<text x=\"%d\" y=\"16\" font-size=\"13\">%@ - accuracy %.2f%% on %d examples (rows: true, columns: predicted)</text>", 10, escape(split) as NSString, accuracy * 100, examples)]
        for (i, row) in confusion.enumerated() {
            let total = max(1, row.reduce(0, +))
            for (j, count) in row.enumerated() {
                let fraction = Double(count) / Double(total)
                let shade = Int(255 - 200 * fraction)
                let color = i == j ? "rgb(\(shade),\(shade),255)" : "rgb(255,\(shade),\(shade))"
                let x = margin + j * cell, y = margin + i * cell
                parts.append("<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(color)\" stroke=\"#ccc\"/>")
                if count > 0 { parts.append("<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"middle\">\(count)</text>") }
            }
            parts.append("<text x=\"\(margin - 4)\" y=\"\(margin + i * cell + cell / 2 + 4)\" text-anchor=\"end\">\(escape(labels[i]))</text>")
            let cx = margin + i * cell + cell / 2
            parts.append("<text x=\"\(cx)\" y=\"\(margin - 6)\" text-anchor=\"start\" transform=\"rotate(-60 \(cx) \(margin - 6))\">\(escape(labels[i]))</text>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }
}

/// `sepkws eval-kws`: accuracy, per-class accuracy and the confusion matrix of a keyword spotter on a split.
struct EvalKWS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-kws",
        abstract: "Evaluate a keyword spotter on a Speech Commands folder: accuracy, per-class accuracy, confusion matrix.",
        discussion: """
            The task (12 or 35 classes) follows the model's labels. In the 12-class task _unknown_ and _silence_ are \
            subsampled (seeded) to the mean size of a command class, as in the standard test set; --all-unknown keeps \
            every clip. When the folder has the synthesizer's clips.csv, accuracy on clips with and without noise is \
            reported too.
            """)

    @Option(help: "Model folder; default: the shipped \(DefaultModels.keywordSpotter).")
    var model: String?

    @Option(help: "Speech Commands folder.")
    var data: String

    @Option(help: "Split: test, dev or train.")
    var split: String = "test"

    @Option(help: "Write the confusion matrix as an SVG heat map.")
    var plot: String?

    @Option(help: "Write the JSON report to this file.")
    var json: String?

    @Flag(help: "Keep every _unknown_ and _silence_ example (no balancing).")
    var allUnknown = false

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        guard ["test", "dev", "train"].contains(split) else { throw ValidationError("--split must be test, dev or train") }
        if let plot, !plot.lowercased().hasSuffix(".svg") { throw ValidationError("--plot \(plot): must end in .svg") }
    }

    func run() throws {
        configureThreads(threading.threads)
        let modelDirectory = try model ?? DefaultModels.keywordSpotterDirectory()
        let spotter = try KeywordSpotter(directory: modelDirectory)
        let labels = spotter.configuration.labels
        let labelSet: KeywordLabelSet
        switch labels {
        case KeywordLabelSet.twelve.labels: labelSet = .twelve
        case KeywordLabelSet.thirtyFive.labels: labelSet = .thirtyFive
        default: throw ValidationError("the model's labels are neither the 12-class nor the 35-class Speech Commands task")
        }
        for output in [plot, json].compactMap({ $0 }) { _ = try AtomicOutput(destination: output) }
        let dataset = try SpeechCommandsDataset(root: data, labelSet: labelSet)
        let corpusSplit: CorpusSplit = split == "dev" ? .dev : split == "train" ? .train : .test
        let all = dataset.examples[corpusSplit] ?? []
        let examples = allUnknown ? all : KeywordClips.balanced(all, labelSet: labelSet)
        let noiseOf = Self.noiseColumn(root: data)

        let rate = spotter.configuration.frontEnd.sampleRate, length = spotter.configuration.frontEnd.clipSamples
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: labels.count), count: labels.count)
        var clean = (0, 0), noisy = (0, 0)
        let bar = ProgressBar(label: "eval-kws", unit: "clips")
        let start = Date()
        for batchStart in stride(from: 0, to: examples.count, by: 64) {
            let batch = Array(examples[batchStart..<min(examples.count, batchStart + 64)])
            let windows = try batch.map { try KeywordClips.load($0, sampleRate: rate, length: length) }
            for (example, prediction) in zip(batch, spotter.classify(windows)) {
                confusion[example.label][prediction.index] += 1
                let right = prediction.index == example.label ? 1 : 0
                if example.cropStart == nil, let noise = noiseOf[Self.relativePath(example.path, root: data)] {
                    if noise == "none" { clean.0 += right; clean.1 += 1 } else { noisy.0 += right; noisy.1 += 1 }
                }
            }
            bar.update(done: min(examples.count, batchStart + 64), total: examples.count)
        }
        let seconds = Date().timeIntervalSince(start)
        let correct = labels.indices.reduce(0) { $0 + confusion[$1][$1] }
        let report = KWSEvaluationReport(
            model: modelDirectory, data: data, split: split, examples: examples.count,
            accuracy: Double(correct) / Double(max(1, examples.count)),
            perClass: labels.indices.map { i in
                let count = confusion[i].reduce(0, +)
                return .init(label: labels[i], count: count, accuracy: count > 0 ? Double(confusion[i][i]) / Double(count) : 0)
            },
            labels: labels, confusion: confusion,
            cleanAccuracy: clean.1 > 0 ? Double(clean.0) / Double(clean.1) : nil, cleanExamples: clean.1 > 0 ? clean.1 : nil,
            noisyAccuracy: noisy.1 > 0 ? Double(noisy.0) / Double(noisy.1) : nil, noisyExamples: noisy.1 > 0 ? noisy.1 : nil,
            windowsPerSecond: Double(examples.count) / max(seconds, 1e-9))
        try Console.line(report.text)
        if let plot { try AtomicOutput.write(Data(report.svg.utf8), to: plot) }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try AtomicOutput.write(try encoder.encode(report) + Data("\n".utf8), to: json)
        }
    }

    static func relativePath(_ path: String, root: String) -> String {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// `path -> noise` from the synthesizer's `clips.csv`, or empty.
    static func noiseColumn(root: String) -> [String: String] {
        let path = (root as NSString).appendingPathComponent("clips.csv")
        guard FileManager.default.fileExists(atPath: path), let table = try? CSVTable(path: path),
            let p = table.header.firstIndex(of: "path"), let n = table.header.firstIndex(of: "noise")
        else { return [:] }
        var result: [String: String] = [:]
        for row in table.rows where row.count > max(p, n) { result[row[p]] = row[n] }
        return result
    }
}
