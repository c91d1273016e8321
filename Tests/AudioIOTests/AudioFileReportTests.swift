import AudioIO
import Foundation
import Testing
import TestSupport

/// `info`'s per-file facts: header, length and levels.
@Suite struct AudioFileReportTests {
    @Test func headerLengthAndLevelsAreMeasured() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("tone.wav")
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: (0..<8_000).map { Float(0.5 * sin(Double($0) * 0.1)) }), to: path, format: .wavFloat)
        let report = try AudioFileReport(path: path)
        #expect(report.sampleRate == 8_000 && report.channels == 1 && report.frames == 8_000 && report.duration == 1)
        #expect(abs((report.peakDBFS ?? 0) - 20 * log10(0.5)) < 0.01)
        #expect(abs((report.rmsDBFS ?? 0) - 20 * log10(0.5 / 2.0.squareRoot())) < 0.05)
        #expect(report.jsonLine.hasPrefix("{\"channels\":1,") && report.text.contains("rate      8000 Hz"))
        let silent = dir.file("silence.wav")
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: [Float](repeating: 0, count: 100)), to: silent)
        #expect(try AudioFileReport(path: silent).peakDBFS == nil)
        #expect(throws: AudioIOError.fileNotFound(path: dir.file("none.wav"))) { try AudioFileReport(path: dir.file("none.wav")) }
    }
}
