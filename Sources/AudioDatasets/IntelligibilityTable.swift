import AudioIO
import Foundation

/// Which clips of a keyword corpus say their text, as an intelligibility judge heard them: the table
/// `sepkws synth intelligibility` writes (`intelligibility.csv`: `path, transcript, says_text`, paths relative to
/// the corpus folder, `says_text` 1 or 0), and its uses: leaving unintelligible clips out of scoring or training
/// (``intelligible(_:root:)``) and the share of intelligible clips per engine, voice and word (``shares(manifest:)``).
/// Judging a corpus (`IntelligibilityTable.judging`) runs a judge, so it lives with the synthesizers in `CorpusSynthesis`.
///
/// ```swift
/// let manifest = try KeywordCorpusManifest(root: "kws-fest")!
/// let table = try IntelligibilityTable.judging(manifest, split: "test", output: "fest-intelligibility.csv") { samples, text in
///     try IntelligibilityJudge.shared.judge(samples, text: text)
/// }
/// print(table.summaryText(manifest: manifest), terminator: "")
/// ```
public struct IntelligibilityTable: Sendable, Equatable {
    /// One judged clip.
    public struct Row: Sendable, Equatable {
        /// The clip, relative to the corpus folder.
        public var path: String
        /// What the judge heard.
        public var transcript: String
        /// Whether that says the clip's text.
        public var saysText: Bool

        public init(path: String, transcript: String, saysText: Bool) {
            self.path = path
            self.transcript = transcript
            self.saysText = saysText
        }
    }

    /// The share of intelligible clips in a named group (`engine festival`, `voice festival:rab_diphone`, `word yes`).
    public struct Share: Sendable, Equatable {
        public var name: String
        /// Judged clips in the group.
        public var clips: Int
        /// Of those, the clips that say their text.
        public var intelligible: Int
        /// `intelligible / clips`, 0 for an empty group.
        public var fraction: Double { clips == 0 ? 0 : Double(intelligible) / Double(clips) }
    }

    /// The table's default file name in a corpus folder.
    public static let fileName = "intelligibility.csv"
    /// The CSV columns.
    public static let header = ["path", "transcript", "says_text"]

    /// The judged clips, in corpus order.
    public private(set) var rows: [Row]
    private var indexByPath: [String: Int]

    /// A table of `rows` (a path given twice keeps its last row).
    public init(rows: [Row]) {
        self.rows = rows
        indexByPath = Dictionary(rows.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { $1 })
    }

    /// Reads a table written by ``write(to:)``.
    /// - Throws: ``DatasetError/malformedManifest(path:line:reason:)`` for other columns or a `says_text` other than
    ///   1 or 0; `AudioIOError` when unreadable.
    public init(path: String) throws {
        let table = try CSVTable(path: path)
        guard table.header == Self.header else {
            throw DatasetError.malformedManifest(path: path, line: 1, reason: "columns \(table.header.joined(separator: ",")), expected \(Self.header.joined(separator: ","))")
        }
        let rows = try table.rows.enumerated().map { r, cells in
            guard cells[2] == "1" || cells[2] == "0" else {
                throw DatasetError.malformedManifest(path: path, line: r + 2, reason: "says_text \(cells[2]) is neither 1 nor 0")
            }
            return Row(path: cells[0], transcript: cells[1], saysText: cells[2] == "1")
        }
        self.init(rows: rows)
    }

    /// The table as CSV.
    public var csvTable: CSVTable {
        CSVTable(header: Self.header, rows: rows.map { [$0.path, $0.transcript, $0.saysText ? "1" : "0"] })
    }

    /// Writes the table atomically.
    public func write(to path: String) throws { try csvTable.write(to: path) }

    /// The verdict on the clip at `path` (relative to the corpus folder), or nil when it was not judged.
    public func row(forPath path: String) -> Row? { indexByPath[path].map { rows[$0] } }

    /// The examples that say their text: word clips judged unintelligible are left out; `_silence_` crops (which say
    /// nothing) are kept.
    /// - Parameters:
    ///   - examples: clips of the corpus at `root` (``SpeechCommandsDataset`` paths).
    ///   - root: the corpus folder the table's paths are relative to.
    /// - Returns: the kept examples, in order, and how many were left out.
    /// - Throws: ``DatasetError/invalidOption(name:value:reason:)`` when a word clip was not judged (naming how many
    ///   and the first), so that no clip is kept or dropped without a verdict.
    public func intelligible(_ examples: [KeywordExample], root: String) throws -> (kept: [KeywordExample], dropped: Int) {
        // The paths as a SpeechCommandsDataset of `root` names them.
        let saysText = Dictionary(rows.map { ((root as NSString).appendingPathComponent($0.path), $0.saysText) }, uniquingKeysWith: { $1 })
        var kept: [KeywordExample] = [], unjudged: [String] = []
        for example in examples {
            guard example.cropStart == nil else { kept.append(example); continue }
            guard let says = saysText[example.path] else { unjudged.append(example.path); continue }
            if says { kept.append(example) }
        }
        if let first = unjudged.first {
            throw DatasetError.invalidOption(name: "intelligibility table", value: "", reason: "\(unjudged.count) clips have no verdict, e.g. \(first) (judge their split with sepkws synth intelligibility)")
        }
        return (kept, examples.count - kept.count)
    }

    /// The share of intelligible clips per engine family, per voice and per text (`engine ...`, `voice ...`,
    /// `word ...` groups, in that order, each sorted by name); rows not in `manifest` count in no group.
    public func shares(manifest: KeywordCorpusManifest) -> [Share] {
        var groups: [String: Share] = [:]
        for row in rows {
            guard let clip = manifest.clip(atPath: (manifest.root as NSString).appendingPathComponent(row.path)) else { continue }
            for name in ["engine \(clip.voice.engine.rawValue)", "voice \(clip.voice.identity)", "word \(clip.text)"] {
                groups[name, default: Share(name: name, clips: 0, intelligible: 0)].clips += 1
                if row.saysText { groups[name]!.intelligible += 1 }
            }
        }
        let order = ["engine ", "voice ", "word "]
        return groups.values.sorted { a, b in
            let ka = order.firstIndex { a.name.hasPrefix($0) } ?? 3, kb = order.firstIndex { b.name.hasPrefix($0) } ?? 3
            return (ka, a.name) < (kb, b.name)
        }
    }

    /// The total and ``shares(manifest:)`` as text, one line each (`  engine pico 61.2% (643 of 1050)`).
    public func summaryText(manifest: KeywordCorpusManifest) -> String {
        let intelligible = rows.filter(\.saysText).count
        return String(format: "%d clips judged, %.1f%% say their text (%d)\n", rows.count,
                      rows.isEmpty ? 0 : 100 * Double(intelligible) / Double(rows.count), intelligible)
            + shares(manifest: manifest).map { "  \($0.name) " + String(format: "%.1f%% (%d of %d)\n", 100 * $0.fraction, $0.intelligible, $0.clips) }.joined()
    }
}
