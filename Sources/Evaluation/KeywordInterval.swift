import AudioDatasets

/// A ground-truth keyword occurrence in a long stream: `keyword` spoken from `startSeconds` to `endSeconds`.
public struct KeywordInterval: Sendable, Equatable, Codable {
    /// The keyword's label.
    public var keyword: String
    /// Where it starts (s from the stream's start).
    public var startSeconds: Double
    /// Where it ends (s from the stream's start).
    public var endSeconds: Double

    /// An occurrence of `keyword` from `startSeconds` to `endSeconds` (s).
    public init(keyword: String, startSeconds: Double, endSeconds: Double) {
        self.keyword = keyword
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
    }

    /// Reads a labels CSV with columns `keyword`, `start_s`, `end_s` (others, such as `condition`, are ignored), as
    /// `StreamCorpusBuilder` writes it.
    /// - Returns: the intervals in file order.
    /// - Throws: the CSV reader's errors; ``EvaluationError/malformedInput(path:line:reason:)`` for a missing column,
    ///   a number that does not parse, or an interval ending before it starts.
    public static func load(csv path: String) throws -> [KeywordInterval] {
        let table = try CSVTable(path: path)
        for column in ["keyword", "start_s", "end_s"] where !table.header.contains(column) {
            throw EvaluationError.malformedInput(path: path, line: 1, reason: "no \(column) column")
        }
        return try table.rows.indices.map { r in
            let keyword = table.value("keyword", row: r)!
            guard let start = Double(table.value("start_s", row: r)!), let end = Double(table.value("end_s", row: r)!),
                  start.isFinite, end.isFinite
            else { throw EvaluationError.malformedInput(path: path, line: r + 2, reason: "start_s and end_s must be numbers") }
            guard end >= start else {
                throw EvaluationError.malformedInput(path: path, line: r + 2, reason: "end_s \(end) is before start_s \(start)")
            }
            return KeywordInterval(keyword: keyword, startSeconds: start, endSeconds: end)
        }
    }
}
