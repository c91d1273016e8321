import AudioIO
import Foundation
import KeywordSpotting

/// One file as `sepkws classify` prints it: the top label and its probability, as a JSON line
/// `{"file":…,"label":…,"score":…}` (the keys `info` and `detect` use for the same things) or a tab-separated line.
public struct KeywordClassificationLine: Encodable, Sendable, Equatable {
    /// The input, as given.
    public var file: String
    /// The most probable label (Speech Commands spelling: `yes`, `_unknown_`, `_silence_`).
    public var label: String
    /// Its probability, to 4 decimals.
    public var score: Double

    /// The line of `prediction` for `file`.
    public init(file: String, prediction: KeywordPrediction) {
        self.file = file
        label = prediction.label
        score = (Double(prediction.score) * 1e4).rounded() / 1e4
    }

    /// The JSON line (sorted keys, no trailing newline).
    public func json() throws -> String { try JSONLine.encode(self) }

    /// `FILE<TAB>LABEL<TAB>SCORE` (4 decimals).
    public var text: String { "\(file)\t\(label)\t\(String(format: "%.4f", score))" }
}
