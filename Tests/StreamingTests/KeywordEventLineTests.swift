import Foundation
import Streaming
import Testing

/// `detect`'s JSON lines come from `JSONEncoder`: time in seconds, the label, the score, the talker and file when asked.
@Suite struct KeywordEventLineTests {
    @Test func eventsEncodeAsOneJSONLineInAFixedKeyOrder() throws {
        let event = KeywordEvent(endSample: 19_680, classIndex: 0, keyword: "yes", score: 0.912_345_6, talker: 1)
        #expect(try KeywordEventLine(event, sampleRate: 16_000).json() == #"{"keyword":"yes","score":0.912346,"time":1.23}"#)
        let line = try KeywordEventLine(event, sampleRate: 16_000, numberingTalkers: true, file: "a/b \"c\".wav").json()
        #expect(line == #"{"file":"a/b \"c\".wav","keyword":"yes","score":0.912346,"talker":2,"time":1.23}"#)
        let decoded = try JSONDecoder().decode(KeywordEvent.self, from: JSONEncoder().encode(event))
        #expect(decoded == event)
    }
}
