import AudioIO
import Foundation
import Synchronization
import Testing
import TestSupport

/// Hostile input at the library level (issue 32): non-finite samples, and outputs whose destination is not a
/// regular file.
@Suite struct HostileInputTests {
    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func readersRefuseNonFiniteSamples(_ bad: Float) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // Stereo float WAV, the bad value in the second channel of frame 70,000 (the second 65,536-frame block).
        var right = [Float](repeating: 0.25, count: 80_000)
        right[70_000] = bad
        let path = dir.file("bad.wav")
        try AudioFileWriter.write(
            AudioBuffer(sampleRate: 16_000, channels: [[Float](repeating: 0.5, count: 80_000), right]), to: path, format: .wavFloat)
        let expected = AudioIOError.nonFiniteSample(path: path, frame: 70_000, channel: 1, seconds: 4.375)
        #expect(throws: expected) { try AudioFileReader.read(path: path) }
        #expect(throws: expected) { try MonoReader(path: path, sampleRate: 8_000).readAll() }
        #expect(expected.description == "\(path): sample 70000 (channel 2) at 4.375000 s is not a finite number (NaN or infinity); the audio is invalid")

        // Raw f32le on a pipe.
        var bytes = Data()
        for i in 0..<1_000 { bytes += withUnsafeBytes(of: (i == 321 ? bad : 0.1).bitPattern.littleEndian) { Data($0) } }
        let raw = dir.file("raw.f32")
        try bytes.write(to: URL(fileURLWithPath: raw))
        let reader = try PCMStreamReader(path: raw, format: .f32le, sampleRate: 16_000, channelCount: 1)
        #expect(throws: AudioIOError.nonFiniteSample(path: raw, frame: 321, channel: 0, seconds: 321.0 / 16_000)) {
            while try reader.read(maxFrames: 100) != nil {}
        }
    }

    @Test func atomicOutputsWriteIntoDevicesAndFIFOsAndFollowLinks() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let payload = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0) })

        try AtomicOutput.write(payload, to: "/dev/null")
        #expect(OutputPath.kind(of: "/dev/null") == .stream)

        let fifo = dir.file("fifo.json")
        #expect(mkfifo(fifo, 0o644) == 0)
        let received = Mutex<Data?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let data = FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile()
            received.withLock { $0 = data }
            done.signal()
        }.start()
        try AtomicOutput.write(payload, to: fifo)
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(received.withLock { $0 } == payload)
        #expect(OutputPath.kind(of: fifo) == .stream)

        try FileManager.default.createDirectory(atPath: dir.file("folder"), withIntermediateDirectories: true)
        #expect(throws: AudioIOError.isDirectory(path: dir.file("folder"))) { try AtomicOutput.write(payload, to: dir.file("folder")) }

        try Data("old".utf8).write(to: URL(fileURLWithPath: dir.file("target.csv")))
        try FileManager.default.createSymbolicLink(atPath: dir.file("link.csv"), withDestinationPath: "target.csv")
        try AtomicOutput.write(payload, to: dir.file("link.csv"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir.file("link.csv")) == "target.csv")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("target.csv"))) == payload)
        // A dangling link creates its target.
        try FileManager.default.createSymbolicLink(atPath: dir.file("dangling.csv"), withDestinationPath: "new.csv")
        try AtomicOutput.write(payload, to: dir.file("dangling.csv"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("new.csv"))) == payload)
        // An input reached through a link is still protected.
        #expect(throws: AudioIOError.outputOverwritesInput(path: dir.file("link.csv"))) {
            try AtomicOutput.write(payload, to: dir.file("link.csv"), inputs: [dir.file("target.csv")])
        }
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
                == ["fifo.json", "folder", "target.csv", "link.csv", "dangling.csv", "new.csv"])
        #expect(PartialFiles.registered.allSatisfy { !$0.hasPrefix(dir.path) && !$0.contains("sepkws.fifo.json") })
    }
}
