import AudioDatasets
import AudioIO
import Evaluation
import Foundation
import Testing
import TestSupport

@Suite struct SeparationEvaluatorTests {
    /// Two utterances written as float WAV files at 8 kHz: the fixture `noise2` and a shorter copy of it.
    func corpus(_ dir: TemporaryDirectory) throws -> (examples: [SeparationExample], references: [[[Float]]], mixtures: [[Float]]) {
        let (_, references, _, mixture) = try ReferenceCase.load("noise2")
        let utterances = [(references, mixture), (references.map { Array($0.prefix(3_000)) }, Array(mixture.prefix(3_000)))]
        var examples: [SeparationExample] = []
        for (u, (refs, mix)) in utterances.enumerated() {
            let paths = ["mix", "s1", "s2"].map { dir.file("u\(u)_\($0).wav") }
            for (path, signal) in zip(paths, [mix] + refs) {
                try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: signal), to: path, format: .wavFloat)
            }
            examples.append(SeparationExample(id: "u\(u)", mixture: paths[0], sources: Array(paths[1...])))
        }
        return (examples, utterances.map(\.0), utterances.map(\.1))
    }

    /// A fake separator: the references swapped, with a little of the mixture leaking in.
    func separator(_ references: [[[Float]]]) -> ([Float]) throws -> [[Float]] {
        { mixture in
            let refs = try #require(references.first { $0[0].count == mixture.count })
            return [refs[1], refs[0]].map { r in zip(r, mixture).map { $0 + 0.1 * $1 } }
        }
    }

    @Test func rowsEqualTheMetricsAndReportsAreWritten() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (examples, references, mixtures) = try corpus(dir)
        var progress: [String] = []
        let report = try SeparationEvaluator(sampleRate: 8_000).evaluate(examples, separate: separator(references)) { done, total, row in
            progress.append("\(done)/\(total) \(row.id)")
        }
        #expect(progress == ["1/2 u0", "2/2 u1"])
        #expect(report.rows.map(\.id) == ["u0", "u1"])
        for (u, row) in report.rows.enumerated() {
            let estimates = try separator(references)(mixtures[u])
            let pit = try SeparationMetrics.permutationInvariantSISNR(estimates: estimates, references: references[u])
            let bss = try SeparationMetrics.bssEvalSources(references: references[u], estimates: estimates)
            let input = try SeparationMetrics.bssEvalSources(references: references[u], estimates: [mixtures[u], mixtures[u]], computePermutation: false)
            #expect(row.permutation == [1, 0] && row.sdrPermutation == [1, 0])
            #expect(row.siSNRPerSource == pit.values && row.siSNR == pit.mean)
            let inputSISNR = try references[u].map { try SeparationMetrics.siSNR(estimate: mixtures[u], reference: $0) }
            #expect(abs(row.siSNRImprovement - (pit.mean - (inputSISNR[0] + inputSISNR[1]) / 2)) < 1e-12)
            #expect(row.sdrPerSource == bss.sdr)
            expectClose([row.sdrImprovement!], [(bss.sdr[0] + bss.sdr[1] - input.sdr[0] - input.sdr[1]) / 2], tolerance: 1e-9, "SDRi")
            #expect(row.seconds == Double(mixtures[u].count) / 8_000 && row.sourceCount == 2)
        }
        let summary = report.summary
        #expect(summary.utterances == 2 && summary.audioSeconds == 0.875)
        #expect(abs(summary.siSNR.mean - (report.rows[0].siSNR + report.rows[1].siSNR) / 2) < 1e-12)
        #expect(summary.sdr?.count == 2)
        #expect(summary.realTimeFactor == summary.processingSeconds / 0.875)

        try report.writeCSV(to: dir.file("rows.csv"))
        let table = try CSVTable(path: dir.file("rows.csv"))
        #expect(table.header == SeparationResult.csvHeader && table.rows.count == 2)
        #expect(table.value("permutation", row: 0) == "1 0" && table.value("id", row: 1) == "u1")
        try report.writeSummaryJSON(to: dir.file("summary.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("summary.json")))) as? [String: Any])
        #expect(Set(json.keys) == ["utterances", "sample_rate", "audio_seconds", "processing_seconds", "real_time_factor", "si_snr",
                                   "si_snr_improvement", "input_si_snr", "sdr", "sdr_improvement", "input_sdr", "sir", "sar"])
        #expect(try SeparationReport.summary(json: report.summaryJSON()) == summary)
        let text = report.textTable()
        #expect(text.hasPrefix("2 utterances, 0.9 s of audio at 8000 Hz"))
        #expect(text.contains(String(format: "SI-SNRi       %10.2f %9.2f", summary.siSNRImprovement.mean, summary.siSNRImprovement.median)))
        try report.writeHistogram(to: dir.file("hist.svg"))
        #expect(try SVGTests.isWellFormed(String(contentsOfFile: dir.file("hist.svg"), encoding: .utf8)))
    }

    @Test func siSNROnlyLeavesSDREmpty() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (examples, references, _) = try corpus(dir)
        let report = try SeparationEvaluator(sampleRate: 8_000, computeSDR: false).evaluate(examples, separate: separator(references))
        #expect(report.rows.allSatisfy { $0.sdr == nil && $0.sdrPermutation == nil })
        #expect(report.summary.sdr == nil && !report.textTable().contains("SDR"))
        #expect(report.csvTable.value("sdr", row: 0) == "")
    }

    @Test func subsetsAverageTheirUtterances() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (examples, references, _) = try corpus(dir)
        let first = examples[0].id
        let report = try SeparationEvaluator(sampleRate: 8_000, computeSDR: false)
            .evaluate(examples, separate: separator(references), subsets: { (id: String) -> [String] in id == first ? ["engine pico", "everything"] : ["everything"] })
        let subsets = try #require(report.summary.subsets)
        #expect(subsets.map(\.name) == ["engine pico", "everything"])
        #expect(subsets[0].siSNRImprovement.count == 1 && subsets[0].siSNRImprovement.mean == report.rows[0].siSNRImprovement)
        #expect(subsets[1].siSNRImprovement == report.summary.siSNRImprovement)
        #expect(report.textTable().contains("SI-SNRi, engine pico (1): mean"))
        let json = String(decoding: try report.summaryJSON(), as: UTF8.self)
        #expect(json.contains("\"subsets\"") && json.contains("\"si_snr_improvement\""))
        #expect(try SeparationReport.summary(json: report.summaryJSON()) == report.summary)
        // Without subsets the summary has none.
        #expect(try SeparationEvaluator(sampleRate: 8_000, computeSDR: false).evaluate(examples, separate: separator(references)).summary.subsets == nil)
    }

    @Test func failuresNameTheUtterance() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (examples, references, _) = try corpus(dir)
        let evaluator = SeparationEvaluator(sampleRate: 8_000)
        #expect(throws: EvaluationError.emptyInput(what: "examples")) { try evaluator.evaluate([], separate: { [$0] }) }
        #expect(throws: EvaluationError.sourceCountMismatch(item: "u0", estimates: 1, references: 2)) {
            try evaluator.evaluate(examples[0], separate: { [$0] })
        }
        #expect(throws: EvaluationError.lengthMismatch(item: "u0", what: "estimate 2", expected: 4_000, actual: 3_999)) {
            try evaluator.evaluate(examples[0], separate: { [$0, Array($0.dropLast())] })
        }
        struct ModelFailure: Error, CustomStringConvertible { var description: String { "out of memory" } }
        #expect(throws: EvaluationError.separationFailed(item: "u1", reason: "out of memory")) {
            try evaluator.evaluate(examples[1], separate: { _ in throw ModelFailure() })
        }
        let mismatched = SeparationExample(id: "bad", mixture: examples[0].mixture, sources: [examples[0].sources[0], examples[1].sources[1]])
        #expect(throws: EvaluationError.lengthMismatch(item: "bad", what: examples[1].sources[1], expected: 4_000, actual: 3_000)) {
            try evaluator.evaluate(mismatched, separate: separator(references))
        }
        let missing = SeparationExample(id: "gone", mixture: dir.file("none.wav"), sources: [])
        #expect(throws: AudioIOError.fileNotFound(path: dir.file("none.wav"))) { try evaluator.evaluate(missing, separate: { [$0] }) }
    }

    @Test func polarityNegatesTheChosenTalkersAndTheScoresIgnoreSigns() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (examples, references, mixtures) = try corpus(dir)
        let (refs, mixture) = (references[0], mixtures[0])
        let mixed = MixturePolarity.mixed.apply(mixture: mixture, references: refs)
        let noise = (0..<mixture.count).map { mixture[$0] - refs[0][$0] - refs[1][$0] }
        for t in stride(from: 0, to: mixture.count, by: 97) {
            #expect(abs(mixed.mixture[t] - (refs[0][t] - refs[1][t] + noise[t])) < 1e-5)
            #expect(mixed.references[0][t] == refs[0][t] && mixed.references[1][t] == -refs[1][t])
        }
        let inverted = MixturePolarity.inverted.apply(mixture: mixture, references: refs)
        #expect(inverted.mixture == mixture.map { -$0 } && inverted.references[1] == refs[1].map { -$0 })
        #expect(MixturePolarity.asRecorded.apply(mixture: mixture, references: refs).mixture == mixture)
        // The same estimates up to their signs score the same: an oracle-like separator that follows the negation.
        func run(_ polarity: MixturePolarity) throws -> SeparationReport {
            let signs: [Float] = polarity == .inverted ? [-1, -1] : (polarity == .mixed ? [1, -1] : [1, 1])
            let base = separator(references)
            return try SeparationEvaluator(sampleRate: 8_000, polarity: polarity).evaluate(examples) { given in
                let original = try #require(mixtures.first { $0.count == given.count })
                return zip(try base(original), [signs[1], signs[0]]).map { estimate, sign in estimate.map { sign * $0 } }
            }
        }
        let plain = try run(.asRecorded), negated = try run(.inverted)
        for (a, b) in zip(plain.rows, negated.rows) {
            #expect(abs(a.siSNR - b.siSNR) < 1e-4 && abs(a.inputSISNR - b.inputSISNR) < 1e-4, "\(a.id)")
            #expect(abs(a.sdr! - b.sdr!) < 1e-3 && abs(a.inputSDR! - b.inputSDR!) < 1e-3, "\(a.id)")
        }
        // With the last talker negated, the mixture is another signal: its input SI-SNR differs from the plain one.
        let half = try run(.mixed)
        #expect(half.rows.count == 2 && abs(half.rows[0].inputSISNR - plain.rows[0].inputSISNR) > 1e-3)
    }
}
