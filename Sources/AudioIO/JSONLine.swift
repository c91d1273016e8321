import Foundation

/// The one form of the commands' JSON lines (`--json` on stdout: `info`, `inspect`, `classify`, `detect`,
/// `separate`; `separate --manifest`): keys sorted, slashes as they are, one line with no trailing newline. An input
/// file is always `file`.
///
/// ```swift
/// print(try JSONLine.encode(report))   // {"channels":1,"file":"a.wav",...}
/// ```
public enum JSONLine {
    /// `value` as one JSON line.
    /// - Throws: `EncodingError` for a value JSON cannot hold (a non-finite number).
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
