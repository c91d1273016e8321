import Foundation
import Voices

/// What `sepkws synth kws` recorded about each clip of a keyword corpus (its `clips.csv`): the text said, the
/// speaker and its engine family, the split and the background noise. Evaluations use it to report accuracy per
/// subset of the clips (``subsets(of:)``).
///
/// Corpora made before `clips.csv` had an `engine` column name only the voice; the family is then inferred from the
/// voice name (``Voices/EngineFamily/init(voiceName:)``).
///
/// ```swift
/// if let manifest = try KeywordCorpusManifest(root: "kws-fest") {
///     manifest.subsets(of: example)   // ["engine festival", "voice festival:rab_diphone", "word clips without noise"]
/// }
/// ```
public struct KeywordCorpusManifest: Sendable {
    /// One row of `clips.csv`.
    public struct Clip: Sendable, Equatable {
        /// The file, relative to the corpus folder (`yes/1a2b3c4d_nohash_0.wav`).
        public var path: String
        /// The text said (the word, a phrase, or a stretch of a sentence).
        public var text: String
        /// The speaker, with its engine family (prosody is not read: default values).
        public var voice: Voice
        /// The split the clip was made for.
        public var split: String
        /// The background noise kind, `none` for a clean clip.
        public var noise: String
    }

    /// The corpus folder.
    public let root: String
    /// The rows, in file order.
    public let clips: [Clip]
    /// Row index by the path a ``SpeechCommandsDataset`` gives the clip (the folder joined with the relative path).
    private let indexByPath: [String: Int]

    /// The columns `clips.csv` must have (`engine` is optional).
    public static let requiredColumns = ["path", "word", "voice", "variant", "split", "noise"]

    /// Reads `root/clips.csv`.
    /// - Returns: nil when the folder has no `clips.csv` (a corpus not made by `sepkws synth kws`).
    /// - Throws: ``DatasetError/malformedManifest(path:line:reason:)`` for a table without the columns of
    ///   ``requiredColumns`` or with an unknown engine; `AudioIOError` when it cannot be read.
    public init?(root: String) throws {
        let path = (root as NSString).appendingPathComponent("clips.csv")
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let table = try CSVTable(path: path)
        let columns = try table.columns(Self.requiredColumns, path: path, kind: "a keyword corpus's clips.csv")
        let engineColumn = table.header.firstIndex(of: "engine")
        var clips: [Clip] = [], index: [String: Int] = [:]
        for (r, row) in table.rows.enumerated() {
            let name = row[columns[2]]
            var engine = EngineFamily(voiceName: name)
            if let engineColumn, !row[engineColumn].isEmpty {
                guard let family = EngineFamily(rawValue: row[engineColumn]) else {
                    throw DatasetError.malformedManifest(path: path, line: r + 2, reason: "unknown engine \(row[engineColumn])")
                }
                engine = family
            }
            index[(root as NSString).appendingPathComponent(row[columns[0]])] = clips.count
            clips.append(Clip(path: row[columns[0]], text: row[columns[1]], voice: Voice(name: name, variant: row[columns[3]], engine: engine),
                              split: row[columns[4]], noise: row[columns[5]]))
        }
        self.root = root
        self.clips = clips
        indexByPath = index
    }

    /// The row of the clip at `path` as a ``SpeechCommandsDataset`` names it, or nil (e.g. a `_silence_` crop).
    public func clip(atPath path: String) -> Clip? { indexByPath[path].map { clips[$0] } }

    /// The named subsets an example belongs to: its engine family (`engine festival`), its speaker
    /// (`voice festival:rab_diphone`, ``Voices/Voice/identity``) and whether noise was mixed in
    /// (`word clips with noise` or `word clips without noise`). None for a `_silence_` crop or a file not in the table.
    public func subsets(of example: KeywordExample) -> [String] {
        guard example.cropStart == nil, let clip = clip(atPath: example.path) else { return [] }
        return ["engine \(clip.voice.engine.rawValue)", "voice \(clip.voice.identity)",
                clip.noise == "none" ? "word clips without noise" : "word clips with noise"]
    }
}
