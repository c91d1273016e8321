import Foundation
import Voices

/// What `sepkws synth mixtures` recorded about each mixture of a separation corpus (its `clips.csv`): the two
/// talkers, each with its engine family. Evaluations use it to report SI-SNRi per engine family (``subsets(of:)``).
///
/// A talker is written as its identity and prosody, `kokoro:0205 pitch 76 rate 201 ...` or, for espeak-ng,
/// `en-gb-x-gbclan+pedro pitch 79 ...`; the identity (``Voices/Voice/init(identity:)``) names the family.
///
/// ```swift
/// if let manifest = try MixtureCorpusManifest(root: "fest8k") {
///     manifest.subsets(of: "test_000012")   // ["engine festival", "engines festival+festival"]
/// }
/// ```
public struct MixtureCorpusManifest: Sendable {
    /// The corpus folder.
    public let root: String
    /// The talkers' engine families by mixture name, `[mixtures][talkers]`.
    public let engines: [String: [EngineFamily]]

    /// The columns `clips.csv` must have.
    public static let requiredColumns = ["mixture_ID", "voice_1", "voice_2"]

    /// Reads `root/clips.csv`.
    /// - Returns: nil when the folder has no `clips.csv` (a corpus not made by `sepkws synth mixtures`).
    /// - Throws: ``DatasetError/malformedManifest(path:line:reason:)`` for a table without the columns of
    ///   ``requiredColumns`` or a talker of an unknown engine; `AudioIOError` when it cannot be read.
    public init?(root: String) throws {
        let path = (root as NSString).appendingPathComponent("clips.csv")
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let table = try CSVTable(path: path)
        let columns = try table.columns(Self.requiredColumns, path: path, kind: "a mixture corpus's clips.csv")
        var engines: [String: [EngineFamily]] = [:]
        for (r, row) in table.rows.enumerated() {
            engines[row[columns[0]]] = try columns.dropFirst().map { column in
                let identity = String(row[column].split(separator: " ").first ?? "")
                do { return try Voice(identity: identity).engine } catch {
                    throw DatasetError.malformedManifest(path: path, line: r + 2, reason: "talker \(identity): \(error)")
                }
            }
        }
        self.root = root
        self.engines = engines
    }

    /// The named subsets a mixture belongs to: each engine family that talks in it (`engine kokoro`) and the pair
    /// (`engines espeak+kokoro`, families in alphabetical order). None for a mixture not in the table.
    public func subsets(of mixture: String) -> [String] {
        guard let families = engines[mixture] else { return [] }
        let names = families.map(\.rawValue).sorted()
        return Array(Set(names)).sorted().map { "engine \($0)" } + ["engines " + names.joined(separator: "+")]
    }
}
