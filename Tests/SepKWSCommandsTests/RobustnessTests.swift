import AudioIO
import Foundation
import Separation
@testable import SepKWSCommands
import Synchronization
import TensorCore
import Testing
import TestSupport

/// Hostile input and careless use (issue 32): each test replays one class of mistake and checks that it is refused
/// with one clear line, or handled, and that nothing is overwritten or left behind.
@Suite struct RobustnessTests {
    /// A short two-tone mixture at 8 kHz.
    static func mixture(seconds: Double = 0.5) -> [Float] {
        (0..<Int(seconds * 8_000)).map { Float(0.2 * sin(Double($0) * 0.21) + 0.1 * sin(Double($0) * 0.67)) }
    }

    /// The names in `dir`, hidden ones included.
    static func contents(_ dir: TemporaryDirectory, _ sub: String = "") throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: sub.isEmpty ? dir.path : dir.file(sub)))
    }

    // MARK: 1. Inputs overwritten

    @Test func separateRefusesAnOutputThatWouldOverwriteAnInput() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try SeparateCommandTests.tinyModel(in: dir)
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: Self.mixture()), to: dir.file("mix.wav"))
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: [Float](repeating: 0.1, count: 800)), to: dir.file("mix_s1.wav"))
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.file("mix_s1.wav")))
        let result = try CommandLineRunner.run(
            ["separate", dir.file("mix.wav"), dir.file("mix_s1.wav"), "--model", model, "--out-dir", dir.path])
        #expect(result.status == 1)
        #expect(result.stderr == "error: \(dir.file("mix_s1.wav")): output would overwrite an input file\n", "\(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("mix_s1.wav"))) == before)
        #expect(!FileManager.default.fileExists(atPath: dir.file("mix_s2.wav")))   // refused before any work

        // The same through a link and a roundabout folder: paths are compared resolved.
        try FileManager.default.createDirectory(atPath: dir.file("sub"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.file("sub/alias.wav"), withDestinationPath: dir.file("mix_s1.wav"))
        #expect(SepKWS.run(["separate", dir.file("mix.wav"), dir.file("sub/alias.wav"), "--model", model,
                            "--out-dir", dir.file("sub/..")]) == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("mix_s1.wav"))) == before)
    }

    // MARK: 3. Batch outputs collide

    @Test func separateRefusesInputsWhoseOutputsCollide() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try SeparateCommandTests.tinyModel(in: dir)
        for folder in ["a", "b", "o"] { try FileManager.default.createDirectory(atPath: dir.file(folder), withIntermediateDirectories: true) }
        let mix = AudioBuffer(sampleRate: 8_000, mono: Self.mixture())
        for path in ["a/x.wav", "b/x.wav", "x.wav", "x.flac"] { try AudioFileWriter.write(mix, to: dir.file(path)) }

        let result = try CommandLineRunner.run(["separate", dir.file("a/x.wav"), dir.file("b/x.wav"), "--model", model, "--out-dir", dir.file("o")])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: \(dir.file("o/x_s1.wav")): \(dir.file("a/x.wav")) and \(dir.file("b/x.wav")) would both"),
                "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try Self.contents(dir, "o").isEmpty)

        #expect(SepKWS.run(["separate", dir.file("x.wav"), dir.file("x.flac"), "--model", model]) == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.file("x_s1.wav")))
        // A folder and a file in it name the file twice.
        #expect(SepKWS.run(["separate", dir.file("a"), dir.file("a/x.wav"), "--model", model, "--out-dir", dir.file("o")]) == 1)
        #expect(try Self.contents(dir, "o").isEmpty)
        // Distinct names still work together.
        try AudioFileWriter.write(mix, to: dir.file("y.flac"))
        #expect(SepKWS.run(["separate", dir.file("a/x.wav"), dir.file("y.flac"), "--model", model, "--out-dir", dir.file("o")]) == 0)
        #expect(try Self.contents(dir, "o") == ["x_s1.wav", "x_s2.wav", "y_s1.wav", "y_s2.wav"])
    }

    // MARK: 2. Special files replaced

    /// Reads a FIFO to its end on another thread (opening it blocks until a writer opens it).
    final class FIFOReader: Sendable {
        private let received = Mutex<Data?>(nil)
        private let done = DispatchSemaphore(value: 0)

        init(_ path: String) {
            Thread { [self] in
                let data = FileHandle(forReadingAtPath: path)?.readDataToEndOfFile() ?? Data()
                received.withLock { $0 = data }
                done.signal()
            }.start()
        }

        /// The bytes read, once the writer closed the FIFO (nil after 60 s).
        func wait() -> Data? {
            guard done.wait(timeout: .now() + 60) == .success else { return nil }
            return received.withLock { $0 }
        }
    }

    @Test func outputsGoIntoDevicesAndFIFOsAndThroughLinksButNeverReplaceThem() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let input = dir.file("in.wav")
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: Self.mixture()), to: input)

        // /dev/null stays a character device (running as root, a rename would have replaced it).
        for arguments in [["resample", input, "/dev/null", "--rate", "16000", "--format", "wav16"],
                          ["features", input, "--out", "/dev/null", "--rate", "8000"]] {
            #expect(SepKWS.run(arguments) == 0, "\(arguments)")
            #expect(OutputPath.kind(of: "/dev/null") == .stream)
        }

        // A FIFO receives the whole file and stays a FIFO.
        let fifo = dir.file("pipe.wav")
        #expect(mkfifo(fifo, 0o644) == 0)
        let reader = FIFOReader(fifo)
        #expect(SepKWS.run(["resample", input, fifo, "--rate", "16000", "--format", "wav16"]) == 0)
        let bytes = try #require(reader.wait())
        #expect(bytes.count == 44 + 2 * 8_000 && bytes.prefix(4) == Data("RIFF".utf8))
        #expect(OutputPath.kind(of: fifo) == .stream)
        let npyFIFO = dir.file("features.npy")
        #expect(mkfifo(npyFIFO, 0o644) == 0)
        let npyReader = FIFOReader(npyFIFO)
        #expect(SepKWS.run(["features", input, "--out", npyFIFO, "--rate", "8000"]) == 0)
        #expect(try #require(npyReader.wait()).prefix(6) == Data([0x93] + Array("NUMPY".utf8)))

        // A directory is refused and left alone.
        try FileManager.default.createDirectory(atPath: dir.file("folder.wav"), withIntermediateDirectories: true)
        #expect(SepKWS.run(["resample", input, dir.file("folder.wav"), "--rate", "16000"]) == 1)
        #expect(OutputPath.kind(of: dir.file("folder.wav")) == .directory)

        // A link is written through: it stays a link, its target gets the new content.
        try Data("old".utf8).write(to: URL(fileURLWithPath: dir.file("target.wav")))
        try FileManager.default.createSymbolicLink(atPath: dir.file("link.wav"), withDestinationPath: "target.wav")
        #expect(SepKWS.run(["resample", input, dir.file("link.wav"), "--rate", "16000"]) == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir.file("link.wav")) == "target.wav")
        #expect(try AudioFileReader(path: dir.file("target.wav")).info.frameCount == 8_000)
        #expect(!(try Self.contents(dir)).contains { $0.contains(".partial") })
    }

    @Test func modelDirectoriesNeverReplaceOtherKindsOfFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fill: (String) throws -> Void = { try Data("{}".utf8).write(to: URL(fileURLWithPath: $0 + "/config.json")) }
        #expect(mkfifo(dir.file("fifo"), 0o644) == 0)
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir.file("file")))
        for name in ["fifo", "file"] {
            #expect(throws: AudioIOError.self) { try AtomicDirectory.write(dir.file(name), fill) }
        }
        #expect(OutputPath.kind(of: dir.file("fifo")) == .stream && OutputPath.kind(of: dir.file("file")) == .file)
        // A link to a folder: the folder is replaced, the link kept.
        try FileManager.default.createDirectory(atPath: dir.file("real"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.file("model"), withDestinationPath: dir.file("real"))
        try AtomicDirectory.write(dir.file("model"), fill)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir.file("model")) == dir.file("real"))
        #expect(FileManager.default.fileExists(atPath: dir.file("real/config.json")))
        #expect(try Self.contents(dir) == ["fifo", "file", "real", "model"])
    }

    // MARK: 4. Partial files left behind

    /// The header of a 16-bit mono WAV at 8 kHz that promises `frames` frames.
    static func wavHeader(frames: Int) -> Data {
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xff) } }
        var header = Data("RIFF".utf8) + le32(36 + 2 * frames) + Data("WAVEfmt ".utf8)
        header += le32(16) + [1, 0, 1, 0] + le32(8_000) + le32(16_000) + [2, 0, 16, 0]
        return header + Data("data".utf8) + le32(2 * frames)
    }

    struct Interruption: Sendable, CustomTestStringConvertible {
        var arguments: @Sendable (_ input: String, _ dir: String, _ model: String) -> [String]
        var signal: Int32
        var name: String
        var testDescription: String { "\(name) on \(signal == SIGINT ? "SIGINT" : "SIGTERM")" }
    }

    static let interruptions: [Interruption] = [
        Interruption(arguments: { ["separate", $0, "--model", $2, "--out-dir", $1] }, signal: SIGINT, name: "separate"),
        Interruption(arguments: { ["separate", $0, "--model", $2, "--out-dir", $1] }, signal: SIGTERM, name: "separate"),
        Interruption(arguments: { input, dir, _ in ["features", input, "--out", dir + "/f.npy", "--rate", "8000"] }, signal: SIGINT, name: "features"),
        Interruption(arguments: { input, dir, _ in ["resample", input, dir + "/r.flac", "--rate", "16000"] }, signal: SIGTERM, name: "resample"),
    ]

    /// The real binary on a long input (a WAV fed through a FIFO whose header promises an hour; a few seconds are
    /// sent and the pipe is kept open, so the command is mid-way and its staging files exist), then a signal.
    @Test(arguments: interruptions)
    func aSignalRemovesTheStagingFiles(_ case_: Interruption) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try SeparateCommandTests.tinyModel(in: dir)
        try FileManager.default.createDirectory(atPath: dir.file("out"), withIntermediateDirectories: true)
        let input = dir.file("long.wav")
        #expect(mkfifo(input, 0o644) == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineRunner.executable)
        process.arguments = case_.arguments(input, dir.file("out"), model)
        let errors = Pipe()
        process.standardOutput = Pipe()
        process.standardError = errors
        try process.run()
        // Open the FIFO's write end once the command opened it for reading.
        var writeEnd: Int32 = -1
        let deadline = Date().addingTimeInterval(60)
        while writeEnd < 0 && Date() < deadline && process.isRunning {
            writeEnd = open(input, O_WRONLY | O_NONBLOCK)
            if writeEnd < 0 { Thread.sleep(forTimeInterval: 0.01) }
        }
        try #require(writeEnd >= 0, "the command never opened its input")
        defer { close(writeEnd) }
        _ = fcntl(writeEnd, F_SETFL, 0)
        var bytes = Self.wavHeader(frames: 3_600 * 8_000)
        for sample in Self.mixture(seconds: 2) { bytes += withUnsafeBytes(of: Int16(sample * 32_767).littleEndian) { Data($0) } }
        _ = bytes.withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
        while try Date() < deadline && !Self.contents(dir, "out").contains(where: { $0.contains(".partial") }) {
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(try Self.contents(dir, "out").contains { $0.contains(".partial") }, "no staging file appeared")
        kill(process.processIdentifier, case_.signal)
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 128 + case_.signal, "\(stderr)")
        #expect(stderr.hasPrefix("sepkws: interrupted by \(case_.signal == SIGINT ? "SIGINT" : "SIGTERM"); removed"), "\(stderr)")
        #expect(try Self.contents(dir, "out").isEmpty)
    }

    @Test func separateFromStdinWritesWhatItHasOnSIGINT() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try SeparateCommandTests.tinyModel(in: dir)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineRunner.executable)
        process.arguments = ["separate", "-", "--model", model, "--rate", "8000", "--out-dir", dir.path]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = Pipe()
        process.standardError = errors
        try process.run()
        var bytes = Data()
        for sample in Self.mixture(seconds: 1) { bytes += withUnsafeBytes(of: Int16(sample * 32_767).littleEndian) { Data($0) } }
        input.fileHandleForWriting.write(bytes)
        // The pipe stays open: once the staging files exist the command is reading; give it time to read the second
        // (it is shorter than a window, so nothing is separated before the end of input), then interrupt.
        let deadline = Date().addingTimeInterval(60)
        while try Date() < deadline && !Self.contents(dir).contains(where: { $0.contains(".partial") }) {
            Thread.sleep(forTimeInterval: 0.01)
        }
        Thread.sleep(forTimeInterval: 1)
        process.interrupt()
        process.waitUntilExit()
        try input.fileHandleForWriting.close()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("separate: stdin: ended by SIGINT after 1.00 s of audio; writing what was separated so far"), "\(stderr)")
        #expect(try AudioFileReader(path: dir.file("stdin_s1.wav")).info.frameCount == 8_000)
        #expect(try Self.contents(dir) == ["stdin_s1.wav", "stdin_s2.wav", "tiny-model"])
    }

    // MARK: 5. Non-finite audio

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func everyCommandRefusesNonFiniteAudio(_ bad: Float) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try SeparateCommandTests.tinyModel(in: dir)
        var samples = Self.mixture()
        samples[1_234] = bad
        let file = dir.file("bad.wav")
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: samples), to: file, format: .wavFloat)
        let message = "\(file): sample 1234 at 0.154250 s is not a finite number"
        for arguments in [
            ["info", "--json", file], ["classify", "--json", file], ["separate", file, "--model", model],
            ["features", file, "--out", dir.file("f.npy")], ["resample", file, dir.file("r.wav"), "--rate", "16000"],
        ] {
            let result = try CommandLineRunner.run(arguments)
            #expect(result.status == 1, "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        #expect(try Self.contents(dir) == ["bad.wav", "tiny-model"])
    }

    // MARK: 6. NaN weights

    @Test func modelsWithNonFiniteWeightsAreRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try SeparateCommandTests.tinyModel(in: dir)
        let weights = URL(fileURLWithPath: model + "/model.safetensors")
        var file = try SafeTensors.read(contentsOf: weights)
        let key = try #require(file.tensors.keys.sorted().last)
        var values = file.tensors[key]!.scalars
        values[values.count - 1] = .nan
        file.tensors[key] = Tensor(values, shape: file.tensors[key]!.shape)
        try SafeTensors.write(file.tensors, metadata: file.metadata, to: weights)
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: Self.mixture()), to: dir.file("mix.wav"))

        for arguments in [["separate", dir.file("mix.wav"), "--model", model],
                          ["convert-model", model, "--out", dir.file("copy"), "--dtype", "f16"]] {
            let result = try CommandLineRunner.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains("tensor '\(key)' holds nan at element \(values.count - 1)"), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(weights.path), "\(arguments): \(result.stderr)")
        }
        #expect(try Self.contents(dir) == ["mix.wav", "tiny-model"])
    }
}
