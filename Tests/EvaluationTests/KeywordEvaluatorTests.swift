import AudioDatasets
import AudioIO
import Evaluation
import Foundation
import Testing
import TestSupport

@Suite struct KeywordEvaluatorTests {
    let labels = ["yes", "no", "_silence_"]

    /// Clips at 16 kHz: loud and quiet tones, and a 3 s noise file that is loud only in its first second.
    func examples(_ dir: TemporaryDirectory) throws -> [KeywordExample] {
        func tone(_ amplitude: Float, _ count: Int) -> [Float] { (0..<count).map { amplitude * sin(Float($0) * 0.2) } }
        let files: [(String, [Float])] = [
            ("loud.wav", tone(0.5, 16_000)), ("quiet.wav", tone(0.01, 12_000)), ("loud2.wav", tone(0.5, 8_000)),
            ("noise.wav", tone(0.5, 16_000) + [Float](repeating: 0, count: 32_000)),
        ]
        for (name, samples) in files {
            try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: samples), to: dir.file(name), format: .wavFloat)
        }
        return [
            KeywordExample(path: dir.file("loud.wav"), label: 0, word: "yes"),
            KeywordExample(path: dir.file("quiet.wav"), label: 1, word: "no"),
            KeywordExample(path: dir.file("loud2.wav"), label: 1, word: "no"),
            KeywordExample(path: dir.file("noise.wav"), label: 2, word: "_background_noise_", cropStart: 16_000),
        ]
    }

    /// Loud → yes, quiet → no, silent → _silence_.
    let byLevel: ([Float]) throws -> Int = { clip in
        let rms = SignalLevel.rms(clip)
        return rms > 0.1 ? 0 : rms > 0.001 ? 1 : 2
    }

    @Test func confusionAndOutputs() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let examples = try examples(dir)
        let evaluator = KeywordEvaluator(labels: labels)
        #expect(try evaluator.clip(examples[3]).count == 16_000)
        var done: [Int] = []
        let report = try evaluator.evaluate(examples, classify: byLevel) { finished, _ in done.append(finished) }
        #expect(done == [1, 2, 3, 4])
        #expect(report.confusion.counts == [[1, 0, 0], [1, 1, 0], [0, 0, 1]])
        #expect(report.confusion.accuracy == 0.75)
        #expect(report.audioSeconds == 3.25)
        #expect(report.csvTable.rows[2] == [dir.file("loud2.wav"), "no", "no", "yes", "0"])
        #expect(report.textTable().hasPrefix("4 clips, 3.2 s of audio, classified in "))
        try report.writeSummaryJSON(to: dir.file("summary.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("summary.json")))) as? [String: Any])
        #expect(json["accuracy"] as? Double == 0.75)
        #expect((json["per_class_accuracy"] as? [String: Any])?["no"] as? Double == 0.5)
        #expect(json["confusion"] as? [[Int]] == [[1, 0, 0], [1, 1, 0], [0, 0, 1]])
        try report.writeHeatMap(to: dir.file("cm.svg"))
        #expect(try SVGTests.isWellFormed(String(contentsOfFile: dir.file("cm.svg"), encoding: .utf8)))
    }

    /// Batches give the clips in order and the same report as one clip per call; named subsets get their own
    /// accuracy in the report, its text and its JSON, next to the caller's metadata. A clip counts in each of its
    /// subsets (here its noise and its speaker).
    @Test func batchesAndSubsets() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let examples = try examples(dir)
        let evaluator = KeywordEvaluator(labels: labels)
        let noisy: (KeywordExample) -> [String] = { example in
            guard example.cropStart == nil else { return [] }
            return [example.path.contains("quiet") ? "clean" : "noisy", example.path.hasSuffix("loud2.wav") ? "voice b" : "voice a"]
        }
        var batchSizes: [Int] = [], done: [Int] = []
        let report = try evaluator.evaluate(examples, batchSize: 3, subsets: noisy, classifyBatch: { clips in
            batchSizes.append(clips.count)
            return try clips.map(byLevel)
        }, progress: { finished, total in done.append(finished); #expect(total == 4) })
        #expect(batchSizes == [3, 1] && done == [3, 4])
        let oneByOne = try evaluator.evaluate(examples, subsets: noisy, classify: byLevel)
        #expect(report.confusion == oneByOne.confusion && report.predictions == oneByOne.predictions)
        #expect(report.predictions.map(\.subsets) == [["noisy", "voice a"], ["clean", "voice a"], ["noisy", "voice b"], []])
        // loud.wav right, quiet.wav right, loud2.wav wrong (a quiet "no" heard as loud).
        #expect(report.subsetAccuracies == [
            KeywordSubsetAccuracy(name: "clean", examples: 1, correct: 1), KeywordSubsetAccuracy(name: "noisy", examples: 2, correct: 1),
            KeywordSubsetAccuracy(name: "voice a", examples: 2, correct: 2), KeywordSubsetAccuracy(name: "voice b", examples: 1, correct: 0),
        ])
        #expect(report.subsetAccuracies[1].accuracy == 0.5)
        #expect(report.textTable().hasSuffix(
            "accuracy 75.00% (3 of 4), balanced 83.33%\n  clean 100.00% (1 of 1)\n  noisy 50.00% (1 of 2)\n  voice a 100.00% (2 of 2)\n  voice b 0.00% (0 of 1)\n"))
        #expect(report.windowsPerSecond > 0)

        let json = try #require(try JSONSerialization.jsonObject(with: report.summaryJSON(metadata: ["model": "m", "split": "test"])) as? [String: Any])
        #expect(json["model"] as? String == "m" && json["split"] as? String == "test")
        #expect(json["examples"] as? Int == 4 && json["accuracy"] as? Double == 0.75)
        let subsets = try #require(json["subsets"] as? [[String: Any]])
        #expect(subsets.map { $0["name"] as? String } == ["clean", "noisy", "voice a", "voice b"])
        #expect(subsets[1]["examples"] as? Int == 2 && subsets[1]["correct"] as? Int == 1 && subsets[1]["accuracy"] as? Double == 0.5)
        #expect(abs((json["windows_per_second"] as? Double ?? 0) - report.windowsPerSecond) <= 1e-9 * report.windowsPerSecond)
        let decoded = try JSONDecoder().decode([KeywordSubsetAccuracy].self, from: JSONSerialization.data(withJSONObject: subsets))
        #expect(decoded == report.subsetAccuracies)
        #expect(throws: EvaluationError.invalidParameter(name: "report metadata key", value: "accuracy", reason: "the summary already has this field")) {
            try report.summaryJSON(metadata: ["accuracy": "1"])
        }
        #expect(try evaluator.evaluate(examples, classify: byLevel).subsetAccuracies.isEmpty)
        let svg = report.heatMapSVG(title: "test split")
        #expect(try SVGTests.isWellFormed(svg) && svg.contains(">test split</text>"))
    }

    @Test func batchFailuresNameTheBatch() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let examples = try examples(dir)
        let evaluator = KeywordEvaluator(labels: labels)
        #expect(throws: EvaluationError.classificationFailed(
            item: dir.file("loud.wav") + " (and the 1 other clips of its batch)", reason: "1 class indices for 2 clips")) {
            try evaluator.evaluate(examples, batchSize: 2, classifyBatch: { _ in [0] })
        }
        #expect(throws: EvaluationError.invalidParameter(name: "batch size", value: "0", reason: "must be at least 1")) {
            try evaluator.evaluate(examples, batchSize: 0, classifyBatch: { $0.map { _ in 0 } })
        }
    }

    @Test func failuresNameTheClip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let examples = try examples(dir)
        let evaluator = KeywordEvaluator(labels: labels)
        #expect(throws: EvaluationError.unknownClass(item: dir.file("loud.wav"), index: 7, classCount: 3)) {
            try evaluator.evaluate(examples, classify: { _ in 7 })
        }
        struct Broken: Error, CustomStringConvertible { var description: String { "bad weights" } }
        #expect(throws: EvaluationError.classificationFailed(item: dir.file("noise.wav") + "@16000", reason: "bad weights")) {
            try evaluator.evaluate([examples[3]], classify: { _ in throw Broken() })
        }
        #expect(throws: EvaluationError.emptyInput(what: "examples")) { try evaluator.evaluate([], classify: byLevel) }
    }
}
