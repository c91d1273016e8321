import AudioDatasets
import AudioIO
import Foundation
import SpeechSynthesis
import Voices

/// Synthesizes unlabeled speech for contrastive pretraining: sentences of 1-10 s as plain audio files,
///
/// ```
/// OUT/{train,dev,test}/<speaker>_<n>.wav    16 kHz mono 16-bit
/// OUT/clips.csv                              path, text, voice settings, split, seconds
/// ```
/// with disjoint speakers per split. Deterministic from the seed; resumable.
public struct SpeechCorpusBuilder<R: RandomNumberGenerator>: Sendable {
    public var minutes: Double
    public var outputDirectory: String
    public var seed: UInt64
    /// The engine families whose speakers talk (default espeak-ng alone; each must be installed).
    public var engines: [EngineFamily] = [.espeak]
    /// Use every speaker of the engines in every split: for a corpus of engine families held out of training, where
    /// the family itself is what no model heard.
    public var everySpeakerInEverySplit = false
    /// Which of the engines' speakers read (English rules, accented readers, or both; ``Voices/ReaderSet``).
    public var readers = ReaderSet.english
    /// Words the sentences never say (``SentenceGenerator/init(avoiding:)``), for example the keywords.
    public var avoidedWords: Set<String> = []
    public var sampleRate = 16_000
    public var devFraction = 0.05, testFraction = 0.05
    /// `espeak-ng` processes run at once.
    public var jobs = 4
    let makeGenerator: SeededGeneratorFactory<R>

    public init(minutes: Double, outputDirectory: String, seed: UInt64, generator: @escaping SeededGeneratorFactory<R>) throws {
        guard minutes > 0, minutes <= 100_000 else {
            throw DatasetError.invalidOption(name: "--minutes", value: "\(minutes)", reason: "must be in (0, 100000]")
        }
        self.minutes = minutes
        self.outputDirectory = outputDirectory
        self.seed = seed
        self.makeGenerator = generator
    }

    static var manifestHeader: [String] { ["path", "text", "voice", "split", "seconds"] }

    /// Makes (or completes) the corpus until it holds `minutes` of speech.
    public func build(progress: CorpusProgressHandler? = nil) throws -> CSVTable {
        let fm = FileManager.default
        let root = outputDirectory as NSString
        for split in CorpusSplit.allCases {
            try fm.createDirectory(atPath: root.appendingPathComponent(split.rawValue), withIntermediateDirectories: true)
        }
        let manifestPath = root.appendingPathComponent("clips.csv")
        var done: [String: [String]] = [:]
        if let old = try? CSVTable(path: manifestPath), old.header == Self.manifestHeader {
            for row in old.rows where fm.fileExists(atPath: root.appendingPathComponent(row[0])) { done[row[0]] = row }
        }
        let catalog = try VoiceCatalog(engines: engines, readers: readers, everySpeakerInEverySplit: everySpeakerInEverySplit)
        let renderer = SpeechRenderer(sampleRate: sampleRate)
        let sentences = SentenceGenerator(avoiding: avoidedWords)
        var table = CSVTable(header: Self.manifestHeader)
        let target = minutes * 60
        var seconds = 0.0, index = 0
        let known = done
        while seconds < target {
            let chunk = index..<index + 16
            let rows = try parallelMap(count: chunk.count, workers: jobs) { j in
                try sentence(index: chunk.lowerBound + j, catalog: catalog, sentences: sentences, renderer: renderer, done: known)
            }
            for row in rows where seconds < target {
                table.rows.append(row)
                seconds += Double(row[4]) ?? 0
            }
            index = chunk.upperBound
            try table.write(to: manifestPath)
            progress?(CorpusProgress(done: min(Int(seconds), Int(target)), total: Int(target), item: rows.last?[0] ?? ""))
        }
        try table.write(to: manifestPath)
        return table
    }

    /// Makes (or reuses) sentence `index` and returns its manifest row.
    private func sentence(index: Int, catalog: VoiceCatalog, sentences: SentenceGenerator, renderer: SpeechRenderer, done: [String: [String]]) throws -> [String] {
        let root = outputDirectory as NSString
        var rng = makeGenerator(derivedSeed(seed, index))
        let u = Double.random(in: 0..<1, using: &rng)
        let split: CorpusSplit = u < testFraction ? .test : u < testFraction + devFraction ? .dev : .train
        var voice = catalog.randomVoice(in: split, using: &rng)
        let text = sentences.sentence(clauses: Int.random(in: 1...3, using: &rng), using: &rng)
        let speaker = String(format: "%08x", UInt32(truncatingIfNeeded: stableHash(voice.identity)))
        let relative = "\(split.rawValue)/\(speaker)_\(String(format: "%06d", index)).wav"
        if let old = done[relative] { return old }
        var speech = try renderer.render(text, voice: &voice)
        speech = Array(speech.prefix(10 * sampleRate))
        if speech.count < sampleRate { speech += [Float](repeating: 0, count: sampleRate - speech.count) }
        let level = Double.random(in: -32...(-18), using: &rng)
        try AudioFileWriter.write(
            AudioBuffer(sampleRate: sampleRate, mono: SignalLevel.scaled(speech, toRMS: level)), to: root.appendingPathComponent(relative))
        return [relative, text, voice.description, split.rawValue, String(format: "%.3f", Double(speech.count) / Double(sampleRate))]
    }
}
