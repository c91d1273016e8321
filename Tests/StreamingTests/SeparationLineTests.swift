import Foundation
@testable import Streaming
import Testing

/// `separate --json` and `--manifest` lines name the input `file`, as `info`, `classify` and `detect` do.
@Suite struct SeparationLineTests {
    @Test func manifestAndSummaryLinesNameTheInputFile() throws {
        let report = FileSeparationReport(seconds: 2.5, realTimeFactor: 0.25, levels: [-20.123, nil], stoppedBy: nil)
        let outputs = ["out/a_s1.wav", "out/a_s2.wav"]
        #expect(try SeparationLine.separated(file: "in/a.wav", outputs: outputs, report: report).json()
            == #"{"file":"in/a.wav","outputs":["out/a_s1.wav","out/a_s2.wav"],"real_time_factor":0.25,"seconds":2.5,"status":"ok"}"#)
        #expect(try SeparationLine.skipped(file: "in/a.wav", outputs: outputs).json()
            == #"{"file":"in/a.wav","outputs":["out/a_s1.wav","out/a_s2.wav"],"status":"skipped"}"#)
        struct Broken: Error, CustomStringConvertible { var description: String { "in/a.wav: not audio" } }
        #expect(try SeparationLine.failed(file: "in/a.wav", outputs: [], error: Broken()).json()
            == #"{"error":"in/a.wav: not audio","file":"in/a.wav","outputs":[],"status":"error"}"#)
        #expect(try SeparationLine.summary(file: "-", outputs: outputs, model: "Models/m", report: report).json()
            == #"{"file":"-","levels_dbfs":[-20.12,null],"model":"Models/m","outputs":["out/a_s1.wav","out/a_s2.wav"],"real_time_factor":0.25,"seconds":2.5}"#)
    }
}
