import AudioDatasets
import Foundation

/// One stretch of a synthesized stream as its `segments.csv` lists it (`sepkws synth stream`): what was said, by whom,
/// from when to when. An evaluation uses it to say what the stream held where a detector fired falsely.
///
/// ```swift
/// if let segments = try StreamSegment.load(besideLabels: "stream/labels.csv") {
///     let said = StreamSegment.said(in: segments, from: 11.2, to: 12.2)   // the segment overlapping most, or nil
/// }
/// ```
public struct StreamSegment: Sendable, Equatable, Codable {
    /// Start and end in the stream (s).
    public var startSeconds: Double
    public var endSeconds: Double
    /// `keyword`, `filler`, `sentence`, ... (the `kind` column).
    public var kind: String
    /// The words said.
    public var text: String
    /// The voice that said them (empty when the file has no `voice` column).
    public var voice: String

    public init(startSeconds: Double, endSeconds: Double, kind: String, text: String, voice: String) {
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
        self.kind = kind
        self.text = text
        self.voice = voice
    }

    /// The segments of `segments.csv` beside a labels file (columns `start_s,end_s,kind,text[,voice]`), or nil when
    /// there is none, or the file there lacks those columns (another tool's file, not a `synth stream` layout's).
    /// - Throws: `EvaluationError.malformedInput` naming the file for a time that is not a number; CSV errors.
    public static func load(besideLabels labels: String) throws -> [StreamSegment]? {
        let path = ((labels as NSString).deletingLastPathComponent as NSString).appendingPathComponent("segments.csv")
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let table = try CSVTable(path: path)
        guard ["start_s", "end_s", "kind", "text"].allSatisfy(table.header.contains) else { return nil }
        return try table.rows.indices.map { row in
            guard let start = Double(table.value("start_s", row: row) ?? ""), let end = Double(table.value("end_s", row: row) ?? "") else {
                throw EvaluationError.malformedInput(path: path, line: row + 2, reason: "start_s and end_s must be numbers")
            }
            return StreamSegment(startSeconds: start, endSeconds: end, kind: table.value("kind", row: row) ?? "",
                                 text: table.value("text", row: row) ?? "", voice: table.value("voice", row: row) ?? "")
        }
    }

    /// The segment that overlaps `[from, to]` (s) the longest, or nil when none does.
    public static func said(in segments: [StreamSegment], from: Double, to: Double) -> StreamSegment? {
        let overlaps = segments.map { min($0.endSeconds, to) - max($0.startSeconds, from) }
        guard let best = overlaps.indices.max(by: { overlaps[$0] < overlaps[$1] }), overlaps[best] > 0 else { return nil }
        return segments[best]
    }
}
