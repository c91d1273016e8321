import AudioDatasets
import AudioIO
import Foundation
import SpeechSynthesis
import Voices

/// Synthesizes two-talker mixtures in the LibriMix layout ("min" mode: each mixture as long as its shorter source):
///
/// ```
/// OUT/wav8k/min/{train,dev,test}/{mix_clean,mix_both,s1,s2,noise}/<ID>.wav
/// OUT/wav8k/min/metadata/mixture_<split>_{mix_clean,mix_both}.csv   (LibriMix columns; paths relative to OUT)
/// OUT/pool/{train,dev,test}/<speaker>_<n>.wav + pool/<split>.csv     single-talker utterances for dynamic mixing
/// OUT/clips.csv                                                       every mixture with its voices, texts, levels
/// ```
/// Each mixture has two different speakers of its split (speakers of test never occur in train or dev), the second
/// talker within +-5 dB of the first, and for `mix_both` a noise at 10-20 dB SNR against the clean mixture.
/// Deterministic from the seed; resumable (finished mixtures are kept).
public struct MixtureCorpusBuilder<R: RandomNumberGenerator>: Sendable {
    public var sampleRate: Int
    public var counts: [CorpusSplit: Int]
    public var outputDirectory: String
    public var seed: UInt64
    /// The engine families whose speakers talk (default espeak-ng alone; each must be installed).
    public var engines: [EngineFamily] = [.espeak]
    /// Use every speaker of the engines in every split: for a corpus of engine families held out of training, where
    /// the family itself is what no model heard.
    public var everySpeakerInEverySplit = false
    /// Which of the engines' speakers read (English rules, accented readers, or both; ``Voices/ReaderSet``).
    public var readers = ReaderSet.english
    /// `espeak-ng` processes run at once.
    public var jobs = 4
    let makeGenerator: SeededGeneratorFactory<R>

    public init(sampleRate: Int, counts: [CorpusSplit: Int], outputDirectory: String, seed: UInt64, generator: @escaping SeededGeneratorFactory<R>) throws {
        guard sampleRate == 8_000 || sampleRate == 16_000 else {
            throw DatasetError.invalidOption(name: "--rate", value: "\(sampleRate)", reason: "LibriMix layouts are 8000 or 16000 Hz")
        }
        for (split, count) in counts where !(0...1_000_000).contains(count) {
            throw DatasetError.invalidOption(name: "\(split.rawValue) count", value: "\(count)", reason: "must be 0 to 1000000")
        }
        self.sampleRate = sampleRate
        self.counts = counts
        self.outputDirectory = outputDirectory
        self.seed = seed
        self.makeGenerator = generator
    }

    /// `wav8k/min` or `wav16k/min`.
    public var layoutRoot: String { "wav\(sampleRate / 1000)k/min" }

    static var manifestHeader: [String] {
        ["mixture_ID", "split", "voice_1", "voice_2", "text_1", "text_2", "level_1_db", "level_2_db", "noise", "snr_db", "length"]
    }

    /// Makes (or completes) the corpus.
    /// - Returns: the manifest of all mixtures.
    public func build(progress: CorpusProgressHandler? = nil) throws -> CSVTable {
        let fm = FileManager.default
        let root = outputDirectory as NSString
        let catalog = try VoiceCatalog(engines: engines, readers: readers, everySpeakerInEverySplit: everySpeakerInEverySplit)
        let renderer = SpeechRenderer(sampleRate: sampleRate)
        let manifestPath = root.appendingPathComponent("clips.csv")
        var done: [String: [String]] = [:]
        if let old = try? CSVTable(path: manifestPath), old.header == Self.manifestHeader {
            for row in old.rows { done[row[0]] = row }
        }
        var manifest = CSVTable(header: Self.manifestHeader)
        let total = counts.values.reduce(0, +)
        var finished = 0
        for split in CorpusSplit.allCases {
            let count = counts[split] ?? 0
            let base = "\(layoutRoot)/\(split.rawValue)"
            for folder in ["mix_clean", "mix_both", "s1", "s2", "noise"] {
                try fm.createDirectory(atPath: root.appendingPathComponent("\(base)/\(folder)"), withIntermediateDirectories: true)
            }
            try fm.createDirectory(atPath: root.appendingPathComponent("pool/\(split.rawValue)"), withIntermediateDirectories: true)
            let clean = CSVTable(header: ["mixture_ID", "mixture_path", "source_1_path", "source_2_path", "length"])
            let both = CSVTable(header: ["mixture_ID", "mixture_path", "source_1_path", "source_2_path", "noise_path", "length"])
            var pool = CSVTable(header: ["path", "speaker", "text"])
            var tables = (clean: clean, both: both)
            let known = done
            var index = 0
            while index < count {
                let chunk = index..<min(count, index + 16)
                let rows = try parallelMap(count: chunk.count, workers: jobs) { j in
                    try mixture(split: split, index: chunk.lowerBound + j, catalog: catalog, renderer: renderer, done: known)
                }
                for row in rows {
                    let id = row[0]
                    let paths = Self.paths(base: base, split: split, id: id)
                    manifest.rows.append(row)
                    tables.clean.rows.append([id, paths.clean, paths.s1, paths.s2, row[10]])
                    tables.both.rows.append([id, paths.both, paths.s1, paths.s2, paths.noise, row[10]])
                    pool.rows.append([paths.pool1, String(row[2].split(separator: " ").first ?? ""), row[4]])
                    pool.rows.append([paths.pool2, String(row[3].split(separator: " ").first ?? ""), row[5]])
                }
                finished += rows.count
                index = chunk.upperBound
                try manifest.write(to: manifestPath)
                progress?(CorpusProgress(done: finished, total: total, item: rows.last?[0] ?? ""))
            }
            let metadata = root.appendingPathComponent("\(layoutRoot)/metadata")
            try fm.createDirectory(atPath: metadata, withIntermediateDirectories: true)
            try tables.clean.write(to: (metadata as NSString).appendingPathComponent("mixture_\(split.rawValue)_mix_clean.csv"))
            try tables.both.write(to: (metadata as NSString).appendingPathComponent("mixture_\(split.rawValue)_mix_both.csv"))
            try pool.write(to: root.appendingPathComponent("pool/\(split.rawValue).csv"))
        }
        try manifest.write(to: manifestPath)
        return manifest
    }

    /// The files of mixture `id`, relative to the corpus folder.
    static func paths(base: String, split: CorpusSplit, id: String)
        -> (s1: String, s2: String, noise: String, clean: String, both: String, pool1: String, pool2: String)
    {
        ("\(base)/s1/\(id).wav", "\(base)/s2/\(id).wav", "\(base)/noise/\(id).wav", "\(base)/mix_clean/\(id).wav",
         "\(base)/mix_both/\(id).wav", "pool/\(split.rawValue)/\(id)_1.wav", "pool/\(split.rawValue)/\(id)_2.wav")
    }

    /// Makes (or reuses) mixture `index` of `split` and returns its manifest row.
    private func mixture(split: CorpusSplit, index: Int, catalog: VoiceCatalog, renderer: SpeechRenderer, done: [String: [String]]) throws -> [String] {
        let fm = FileManager.default
        let root = outputDirectory as NSString
        let sentences = SentenceGenerator()
        var rng = makeGenerator(derivedSeed(seed, CorpusSplit.allCases.firstIndex(of: split)!, index))
        var voice1 = catalog.randomVoice(in: split, using: &rng)
        var voice2 = catalog.randomVoice(in: split, using: &rng)
        while voice2.identity == voice1.identity { voice2 = catalog.randomVoice(in: split, using: &rng) }
        let text1 = sentences.sentence(clauses: Int.random(in: 1...2, using: &rng), using: &rng)
        let text2 = sentences.sentence(clauses: Int.random(in: 1...2, using: &rng), using: &rng)
        let id = String(format: "%@_%06d", split.rawValue, index)
        let paths = Self.paths(base: "\(layoutRoot)/\(split.rawValue)", split: split, id: id)
        let allExist = [paths.s1, paths.s2, paths.noise, paths.clean, paths.both, paths.pool1, paths.pool2]
            .allSatisfy { fm.fileExists(atPath: root.appendingPathComponent($0)) }
        if let old = done[id], allExist { return old }
        let speech1 = try renderer.render(text1, voice: &voice1)
        let speech2 = try renderer.render(text2, voice: &voice2)
        let length = min(speech1.count, speech2.count)
        let level1 = Double.random(in: -30...(-20), using: &rng)
        let level2 = level1 + Double.random(in: -5...5, using: &rng)
        var s1 = SignalLevel.scaled(Array(speech1.prefix(length)), toRMS: level1)
        var s2 = SignalLevel.scaled(Array(speech2.prefix(length)), toRMS: level2)
        let kind = NoiseKind.synthetic.randomElement(using: &rng)!
        let snr = Double.random(in: 10...20, using: &rng)
        var mixClean = SignalLevel.sum([s1, s2])
        var noise = SignalLevel.noise(
            NoiseGenerator.make(kind, count: length, sampleRate: sampleRate, using: &rng), forSNR: snr, against: mixClean)
        var mixBoth = SignalLevel.sum([mixClean, noise])
        // Keep every file below full scale, scaling all parts of the mixture together.
        let peak = max(SignalLevel.peak(mixBoth), SignalLevel.peak(mixClean))
        if peak > 0.9 {
            let g = 0.9 / peak
            for i in 0..<length { s1[i] *= g; s2[i] *= g; noise[i] *= g; mixClean[i] *= g; mixBoth[i] *= g }
        }
        for (signal, path) in [(s1, paths.s1), (s2, paths.s2), (noise, paths.noise), (mixClean, paths.clean), (mixBoth, paths.both)] {
            try AudioFileWriter.write(AudioBuffer(sampleRate: sampleRate, mono: signal), to: root.appendingPathComponent(path), format: .wavFloat)
        }
        try AudioFileWriter.write(AudioBuffer(sampleRate: sampleRate, mono: SignalLevel.scaled(speech1, toRMS: -25)), to: root.appendingPathComponent(paths.pool1))
        try AudioFileWriter.write(AudioBuffer(sampleRate: sampleRate, mono: SignalLevel.scaled(speech2, toRMS: -25)), to: root.appendingPathComponent(paths.pool2))
        return [id, split.rawValue, voice1.description, voice2.description, text1, text2,
                String(format: "%.2f", level1), String(format: "%.2f", level2), kind.rawValue, String(format: "%.2f", snr), "\(length)"]
    }
}
