import AudioIO
import Foundation

/// One detected keyword.
public struct KeywordEvent: Sendable, Equatable, Codable {
    /// The stream sample at which it was detected: the end of the window that triggered it.
    public var endSample: Int
    /// The class index in the model's labels.
    public var classIndex: Int
    /// The label, spelled as the model's.
    public var keyword: String
    /// The smoothed probability when it fired.
    public var score: Float
    /// The talker (0-based) whose stream it was heard in; 0 without separation.
    public var talker: Int

    public init(endSample: Int, classIndex: Int, keyword: String, score: Float, talker: Int) {
        self.endSample = endSample
        self.classIndex = classIndex
        self.keyword = keyword
        self.score = score
        self.talker = talker
    }
}

/// One event as `sepkws detect` prints it: a JSON line `{"keyword":…,"score":…,"time":…}` (plus `"talker"`, 1-based,
/// with separation, and `"file"` with several inputs), encoded by `JSONEncoder` with sorted keys.
public struct KeywordEventLine: Encodable, Sendable, Equatable {
    /// Seconds from the stream's start to the end of the window that fired, to the millisecond.
    public var time: Double
    /// The label.
    public var keyword: String
    /// The smoothed probability, to 6 decimals.
    public var score: Double
    /// The talker, from 1 (with separation), else nil.
    public var talker: Int?
    /// The input (when there are several), else nil.
    public var file: String?

    /// The line of `event` in a stream at `sampleRate` Hz.
    public init(_ event: KeywordEvent, sampleRate: Int, numberingTalkers: Bool = false, file: String? = nil) {
        time = (Double(event.endSample) / Double(sampleRate) * 1_000).rounded() / 1_000
        keyword = event.keyword
        score = (Double(event.score) * 1e6).rounded() / 1e6
        talker = numberingTalkers ? event.talker + 1 : nil
        self.file = file
    }

    enum CodingKeys: String, CodingKey { case time, keyword, score, talker, file }

    /// The JSON line (sorted keys, no trailing newline).
    public func json() throws -> String {
        try JSONLine.encode(self)
    }
}
