import AudioIO
import Foundation
import Testing
import TestSupport

@Suite struct AudioFileTests {
    static func tone(frames: Int, rate: Int, frequency: Float, amplitude: Float = 0.5) -> [Float] {
        (0..<frames).map { amplitude * sin(2 * .pi * frequency * Float($0) / Float(rate)) }
    }

    @Test(arguments: [AudioFileFormat.wav16, .wavFloat, .flac, .aiff, .ogg])
    func roundTripEveryWrittenFormat(format: AudioFileFormat) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let left = Self.tone(frames: 4_410, rate: 44_100, frequency: 440)
        let right = Self.tone(frames: 4_410, rate: 44_100, frequency: 1000, amplitude: 0.25)
        let path = dir.file("stereo.\(format.fileExtension)")
        try AudioFileWriter.write(AudioBuffer(sampleRate: 44_100, channels: [left, right]), to: path, format: format)
        let back = try AudioFileReader.read(path: path)
        #expect(back.sampleRate == 44_100)
        #expect(back.channelCount == 2)
        #expect(back.frameCount == 4_410)
        // PCM16 quantization is 1/32768; Vorbis is lossy.
        let tolerance: Float = format == .wavFloat ? 0 : format == .ogg ? 0.05 : 1.0 / 32_768 + 1e-7
        let error = zip(back.channels[0] + back.channels[1], left + right).map { abs($0 - $1) }.max() ?? 0
        #expect(error <= tolerance)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["stereo.\(format.fileExtension)"])
    }

    @Test func blockReadsConcatenateToTheWholeFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let samples = Self.tone(frames: 10_007, rate: 8_000, frequency: 300)
        let path = dir.file("a.wav")
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: samples), to: path, format: .wavFloat)
        let reader = try AudioFileReader(path: path)
        var blocks = [Int](), joined = [Float]()
        while let block = try reader.read(maxFrames: 1_000) {
            blocks.append(block.frameCount)
            joined += block.channels[0]
        }
        #expect(blocks == Array(repeating: 1_000, count: 10) + [7])
        #expect(joined == samples)
        #expect(try reader.read() == nil)
    }

    @Test func mixdownAveragesChannels() {
        let buffer = AudioBuffer(sampleRate: 16_000, channels: [[1, 0.5, -1], [0, 0.5, 1]])
        #expect(buffer.mixedToMono() == [0.5, 0.5, 0])
        #expect(buffer.interleaved() == [1, 0, 0.5, 0.5, -1, 1])
    }

    @Test func pcm16WritingClipsInsteadOfWrapping() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("loud.wav")
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: [1.5, -1.5, 0.25]), to: path)
        let back = try AudioFileReader.read(path: path).channels[0]
        #expect(back[0] > 0.99 && back[1] <= -0.99 && back[2] == 0.25)
    }

    @Test func badInputsGetClearErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(throws: AudioIOError.fileNotFound(path: dir.file("missing.wav"))) { try AudioFileReader(path: dir.file("missing.wav")) }
        #expect(throws: AudioIOError.isDirectory(path: dir.path)) { try AudioFileReader(path: dir.path) }
        _ = FileManager.default.createFile(atPath: dir.file("empty.wav"), contents: Data())
        #expect(throws: AudioIOError.emptyFile(path: dir.file("empty.wav"))) { try AudioFileReader(path: dir.file("empty.wav")) }
        _ = FileManager.default.createFile(atPath: dir.file("text.wav"), contents: Data("not audio at all\n".utf8))
        #expect(throws: AudioIOError.unreadable(path: dir.file("text.wav"), reason: "Format not recognised.")) {
            try AudioFileReader(path: dir.file("text.wav"))
        }
        let good = dir.file("good.wav")
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: [Float](repeating: 0.1, count: 1000)), to: good)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        _ = FileManager.default.createFile(atPath: dir.file("cut.wav"), contents: bytes.prefix(600))
        #expect(throws: AudioIOError.truncated(path: dir.file("cut.wav"), promisedBytes: 2000, presentBytes: 556)) {
            try AudioFileReader(path: dir.file("cut.wav"))
        }
        _ = FileManager.default.createFile(atPath: dir.file("header.wav"), contents: bytes.prefix(30))
        #expect(throws: AudioIOError.self) { try AudioFileReader(path: dir.file("header.wav")) }
        let silent = dir.file("silent.wav")
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: []), to: silent)
        #expect(throws: AudioIOError.noAudio(path: silent)) { try AudioFileReader.read(path: silent) }
    }

    @Test func outputsNeverOverwriteInputsOrLeavePartialFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let input = dir.file("in.wav")
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: [0.1, 0.2]), to: input)
        #expect(throws: AudioIOError.outputOverwritesInput(path: input)) {
            try AudioFileWriter(path: input, sampleRate: 16_000, channelCount: 1, inputs: [input])
        }
        #expect(throws: AudioIOError.outputDirectoryMissing(path: dir.file("nope"))) {
            try AudioFileWriter(path: dir.file("nope/out.wav"), sampleRate: 16_000, channelCount: 1)
        }
        #expect(throws: AudioIOError.unknownOutputFormat(path: dir.file("out.xyz"))) {
            try AudioFileWriter(path: dir.file("out.xyz"), sampleRate: 16_000, channelCount: 1)
        }
        // An abandoned writer leaves neither the destination nor its temporary file.
        do {
            let writer = try AudioFileWriter(path: dir.file("out.wav"), sampleRate: 16_000, channelCount: 1)
            try writer.write(AudioBuffer(sampleRate: 16_000, mono: [0.5]))
            writer.cancel()
        }
        do {
            let writer = try AudioFileWriter(path: dir.file("dropped.wav"), sampleRate: 16_000, channelCount: 1)
            try writer.write(AudioBuffer(sampleRate: 16_000, mono: [0.5]))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["in.wav"])
    }
}
