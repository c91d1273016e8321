import AudioIO
import Foundation
import KeywordSpotting
import Separation
@testable import SepKWSCommands
import TensorCore
import Testing
import TestSupport

/// Issue 32, continued: model configurations, inputs that can be read once, stem lengths, and messages.
extension RobustnessTests {
    /// A small keyword model folder (labels a, b, c; 16 kHz front end).
    static func tinyKeywordModel(in dir: TemporaryDirectory) throws -> String {
        let config = KWSConfiguration(labels: ["a", "b", "c"], convChannels: 4, normGroups: 2, layers: 1, heads: 2, feedForwardDimension: 16,
                                      bottleneckDimension: 12, projectionHidden: 8, projectionDimension: 6)
        try KeywordSpotter.save(KeywordClassifier(configuration: config, seed: 1), to: dir.file("kws"))
        return dir.file("kws")
    }

    /// Rewrites a model folder's config.json with `change` applied to its JSON object.
    static func editConfig(_ model: String, _ change: (inout [String: Any]) -> Void) throws {
        let url = URL(fileURLWithPath: model + "/config.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        change(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }

    // MARK: 8. Keyword-model configs are not bounded

    @Test func keywordModelConfigsAreCheckedBeforeAnythingIsBuilt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try Self.tinyKeywordModel(in: dir)
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: [Float](repeating: 0.01, count: 16_000)), to: dir.file("clip.wav"))
        let original = try Data(contentsOf: URL(fileURLWithPath: model + "/config.json"))
        let config = model + "/config.json"
        let cases: [(String, (inout [String: Any]) -> Void, String)] = [
            ("conv_channels 1e9", { $0["conv_channels"] = 1_000_000_000 }, "\(config): invalid conv_channels 1000000000: must be 1 to 256"),
            ("ffn_dim 1e9", { $0["ffn_dim"] = 1_000_000_000 }, "\(config): invalid ffn_dim 1000000000: must be 1 to 8192"),
            ("bottleneck_dim 1e9", { $0["bottleneck_dim"] = 1_000_000_000 }, "\(config): invalid bottleneck_dim 1000000000"),
            ("layers 1000", { $0["layers"] = 1_000 }, "\(config): invalid layers 1000: must be 0 to 32"),
            ("clip_samples 1e9", { var f = $0["front_end"] as! [String: Any]; f["clip_samples"] = 1_000_000_000; $0["front_end"] = f },
             "\(config): invalid front_end.clip_samples 1000000000"),
            ("unknown key", { $0["layer"] = 3 }, "\(config): malformed model configuration: unknown keys layer"),
            ("unknown front-end key", { var f = $0["front_end"] as! [String: Any]; f["nmels"] = 40; $0["front_end"] = f },
             "unknown keys front_end.nmels"),
            ("fractional size", { $0["layers"] = 1.5 }, "\(config): malformed model configuration: 'layers' must be an integer, not 1.5"),
            ("more layers than the weights", { $0["layers"] = 3 },
             "\(model)/model.safetensors: weights do not fit the configuration: it holds 1 Transformer layers, config.json asks for 3"),
        ]
        for (name, change, message) in cases {
            try original.write(to: URL(fileURLWithPath: config))
            try Self.editConfig(model, change)
            for arguments in [["classify", dir.file("clip.wav"), "--model", model], ["detect", dir.file("clip.wav"), "--model", model]] {
                let result = try CommandLineRunner.run(arguments)
                #expect(result.status == 1, "\(name), \(arguments[0]): \(result.stderr)")
                #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(message), "\(name), \(arguments[0]): \(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1, "\(name): \(result.stderr)")
            }
        }
        try original.write(to: URL(fileURLWithPath: config))
        #expect(try CommandLineRunner.run(["classify", dir.file("clip.wav"), "--model", model]).status == 0)
    }

    @Test func separatorConfigErrorsNameTheFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try SeparateCommandTests.tinyModel(in: dir)
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: Self.mixture()), to: dir.file("mix.wav"))
        let config = model + "/config.json"
        let original = try Data(contentsOf: URL(fileURLWithPath: config))
        for (change, message) in [
            ({ (o: inout [String: Any]) in o["num_spks"] = 2.5 }, "\(config): cannot read the configuration ('num_spks' must be an integer, not 2.5)"),
            ({ (o: inout [String: Any]) in o["num_spks"] = 9 }, "\(config): invalid num_spks 9: must be 1 to 8"),
        ] {
            try original.write(to: URL(fileURLWithPath: config))
            try Self.editConfig(model, change)
            let result = try CommandLineRunner.run(["separate", dir.file("mix.wav"), "--model", model])
            #expect(result.status == 1 && result.stderr == "error: \(message)\n", "\(result.stderr)")
        }
    }

    // MARK: 9. separate opens its input twice

    /// Runs the binary with `environment` added and `stdin` fed, killing it after `seconds`.
    static func run(_ arguments: [String], environment: [String: String], stdin: Data? = nil, seconds: Double = 120)
        throws -> (status: Int32, stderr: String, timedOut: Bool)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineRunner.executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = Pipe()
        process.standardError = errors
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let timedOut = ended.wait(timeout: .now() + seconds) == .timedOut
        if timedOut {
            process.terminate()
            ended.wait()
        }
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, stderr, timedOut)
    }

    /// Without --model, `separate` reads the input's rate to choose the shipped model: a FIFO or `/dev/stdin` must
    /// still be read only once.
    @Test func separateReadsAFIFOOrStdinOnce() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try SeparateCommandTests.tinyModel(in: dir)
        try FileManager.default.createDirectory(atPath: dir.file("models"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: model, toPath: dir.file("models/mossformer2-8k"))
        try FileManager.default.createDirectory(atPath: dir.file("out"), withIntermediateDirectories: true)
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: Self.mixture()), to: dir.file("mix.wav"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.file("mix.wav")))
        let environment = ["SEPKWS_MODELS": dir.file("models")]

        let fifo = dir.file("pipe.wav")
        #expect(mkfifo(fifo, 0o644) == 0)
        Thread {
            // Opening blocks until the command opens the FIFO for reading.
            guard let handle = FileHandle(forWritingAtPath: fifo) else { return }
            handle.write(bytes)
            try? handle.close()
        }.start()
        let fromFIFO = try Self.run(["separate", fifo, "--out-dir", dir.file("out")], environment: environment)
        #expect(!fromFIFO.timedOut && fromFIFO.status == 0, "\(fromFIFO.stderr)")
        #expect(try AudioFileReader(path: dir.file("out/pipe_s2.wav")).info.frameCount == 4_000)

        let fromStdin = try Self.run(["separate", "/dev/stdin", "--out-dir", dir.file("out")], environment: environment, stdin: bytes)
        #expect(!fromStdin.timedOut && fromStdin.status == 0, "\(fromStdin.stderr)")
        #expect(try AudioFileReader(path: dir.file("out/stdin_s1.wav")).info.frameCount == 4_000)
        #expect(try Self.contents(dir, "out") == ["pipe_s1.wav", "pipe_s2.wav", "stdin_s1.wav", "stdin_s2.wav"])
    }

    // MARK: 10. Tiny stdin rates

    @Test func stdinRatesAreBoundedAndSIGTERMIsHonouredPromptly() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try SeparateCommandTests.tinyModel(in: dir)
        for arguments in [["detect", "-", "--rate", "1"], ["separate", "-", "--model", model, "--rate", "1"]] {
            let result = try CommandLineRunner.run(arguments, stdin: Data(repeating: 0, count: 64))
            #expect(result.status == 2 && result.stderr.hasPrefix("Error: --rate 1: must be 4000 to 384000 Hz\n"), "\(result.stderr)")
        }
        // At the lowest rate, a SIGTERM while stdin is open and quiet ends `separate -` within seconds.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineRunner.executable)
        process.arguments = ["separate", "-", "--model", model, "--rate", "4000", "--out-dir", dir.path]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        input.fileHandleForWriting.write(Data(repeating: 1, count: 2 * 4_000))
        let deadline = Date().addingTimeInterval(60)
        while try Date() < deadline && !Self.contents(dir).contains(where: { $0.contains(".partial") }) { Thread.sleep(forTimeInterval: 0.01) }
        Thread.sleep(forTimeInterval: 0.5)
        let sent = Date()
        process.terminate()
        process.waitUntilExit()
        try input.fileHandleForWriting.close()
        #expect(Date().timeIntervalSince(sent) < 10)
        #expect(process.terminationStatus == 0)
        #expect(try AudioFileReader(path: dir.file("stdin_s1.wav")).info.sampleRate == 4_000)
    }

    // MARK: 13. Misleading messages

    @Test func fileSystemErrorsAreSaidInWords() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try SeparateCommandTests.tinyModel(in: dir)
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: Self.mixture()), to: dir.file("mix.wav"))
        // A directory where the weights file belongs.
        let broken = dir.file("broken")
        try FileManager.default.copyItem(atPath: model, toPath: broken)
        try FileManager.default.removeItem(atPath: broken + "/model.safetensors")
        try FileManager.default.createDirectory(atPath: broken + "/model.safetensors", withIntermediateDirectories: true)
        let weights = try CommandLineRunner.run(["separate", dir.file("mix.wav"), "--model", broken])
        #expect(weights.status == 1 && weights.stderr.contains("\(broken)/model.safetensors") && weights.stderr.contains("is a directory"),
                "\(weights.stderr)")
        #expect(!weights.stderr.contains("NSCocoaErrorDomain"))
        // The same for a keyword model.
        let kws = try Self.tinyKeywordModel(in: dir)
        try FileManager.default.removeItem(atPath: kws + "/model.safetensors")
        try FileManager.default.createDirectory(atPath: kws + "/model.safetensors", withIntermediateDirectories: true)
        let keyword = try CommandLineRunner.run(["classify", dir.file("mix.wav"), "--model", kws])
        #expect(keyword.status == 1 && keyword.stderr.contains("\(kws)/model.safetensors") && keyword.stderr.contains("is a directory"),
                "\(keyword.stderr)")
        #expect(!keyword.stderr.contains("NSCocoaErrorDomain"))
        // Foundation errors that reach the top are translated.
        let error = NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileWriteNoPermission.rawValue,
                            userInfo: [NSFilePathErrorKey: "/x/y", NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EACCES))])
        #expect(FileSystemMessage.describe(error) == "/x/y: permission denied")
        #expect(FileSystemMessage.describe(CocoaError(.fileWriteFileExists, userInfo: [NSFilePathErrorKey: "/x/z"])) == "/x/z: already exists")
    }

    @Test func evaluationsCheckTheirOutputsFirst() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try SeparateCommandTests.tinyModel(in: dir)
        try FileManager.default.createDirectory(atPath: dir.file("folder.csv"), withIntermediateDirectories: true)
        // The corpus does not exist: an output checked first fails on the output, not on the corpus.
        let sep = try CommandLineRunner.run(["eval-sep", "--model", model, "--data", dir.file("none"), "--csv", dir.file("folder.csv")])
        #expect(sep.status == 1 && sep.stderr.contains(dir.file("folder.csv")), "\(sep.stderr)")
        let missing = try CommandLineRunner.run(["eval-sep", "--model", model, "--data", dir.file("none"), "--json", dir.file("no/x.json")])
        #expect(missing.status == 1 && missing.stderr.contains(dir.file("no")) && !missing.stderr.contains("none"), "\(missing.stderr)")
        let stream = try CommandLineRunner.run(["eval-stream", "--labels", dir.file("none.csv"), "--report", dir.file("folder.csv")])
        #expect(stream.status == 1 && stream.stderr.contains(dir.file("folder.csv")), "\(stream.stderr)")
    }

    // MARK: 14. Off-by-one stems

    @Test(arguments: [(8_000, 4_001), (11_025, 5_513), (16_000, 8_001), (22_050, 11_025), (44_100, 22_051)])
    func everyStemIsAsLongAsItsInput(_ rate: Int, _ frames: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try SeparateCommandTests.tinyModel(in: dir)
        let samples = (0..<frames).map { Float(0.2 * sin(Double($0) * 0.05) + 0.1 * sin(Double($0) * 0.31)) }
        try AudioFileWriter.write(AudioBuffer(sampleRate: rate, mono: samples), to: dir.file("odd.wav"))
        #expect(SepKWS.run(["separate", dir.file("odd.wav"), "--model", model]) == 0)
        for name in ["odd_s1.wav", "odd_s2.wav"] {
            let info = try AudioFileReader(path: dir.file(name)).info
            #expect(info.sampleRate == rate && info.frameCount == frames, "\(name) at \(rate) Hz: \(info.frameCount) frames")
        }
        // Raw PCM on stdin too.
        var pcm = Data()
        for x in samples { pcm += withUnsafeBytes(of: Int16(x * 32_767).littleEndian) { Data($0) } }
        let result = try CommandLineRunner.run(["separate", "-", "--model", model, "--rate", "\(rate)", "--out-dir", dir.path], stdin: pcm)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try AudioFileReader(path: dir.file("stdin_s1.wav")).info.frameCount == frames)
    }
}
