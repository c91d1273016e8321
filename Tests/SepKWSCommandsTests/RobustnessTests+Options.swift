import AudioIO
import Foundation
import KeywordSpotting
import Separation
@testable import SepKWSCommands
import TensorCore
import Testing
import TestSupport

/// Issue 32, continued: absurd option values, unbounded model configurations, misleading messages.
extension RobustnessTests {
    // MARK: 7. Absurd or infinite option values

    /// One numeric option of one command with values that must be refused.
    struct AbsurdOption: Sendable, CustomTestStringConvertible {
        var command: [String]
        var option: String
        var values: [String]
        var testDescription: String { "\(command.first ?? "") \(command.dropFirst().first ?? "") \(option)" }

        init(_ command: [String], _ option: String, _ values: [String]) {
            (self.command, self.option, self.values) = (command, option, values)
        }
    }

    static let huge = "1000000000", enormous = "10000000000000"
    static let nonFinite = ["inf", "nan", "-inf"]

    /// Every numeric option of every command that sizes memory or time, with the values of issue 32 (0, -1, 1e9,
    /// inf, nan). Paths need not exist: the values are refused before any file is opened.
    static let absurdOptions: [AbsurdOption] = {
        let separate = ["separate", "x.wav"], detect = ["detect", "-"], features = ["features", "x.wav", "--out", "y.npy"]
        let trainSep = ["train-sep", "--data", "d", "--out", "r"]
        let trainKWS = ["train-kws", "--data", "d", "--labels", "12", "--out", "r"]
        let pretrain = ["pretrain", "--unlabeled", "u", "--out", "r"]
        let seconds = ["0", "-1", "1e9"] + nonFinite
        return [
            AbsurdOption(separate, "--window-seconds", seconds), AbsurdOption(separate, "--overlap-seconds", ["0", "-1", "1e9"] + nonFinite),
            AbsurdOption(separate, "--rate", ["0", "-1", "1", "3999", huge]), AbsurdOption(separate, "--channels", ["0", huge]),
            AbsurdOption(separate, "--shifts", ["0", huge]), AbsurdOption(separate, "--threads", ["0", huge]),
            AbsurdOption(detect, "--smoothing-ms", ["-1", "10000000000", enormous]), AbsurdOption(detect, "--refractory-ms", ["-1", enormous]),
            AbsurdOption(detect, "--hop-ms", ["0", huge]), AbsurdOption(detect, "--trigger-count", ["0", huge]),
            AbsurdOption(detect, "--rate", ["0", "1", huge]), AbsurdOption(detect, "--channels", ["0", huge]),
            AbsurdOption(detect, "--threads", ["0", huge]), AbsurdOption(detect + ["--separate"], "--window-seconds", seconds),
            AbsurdOption(features, "--win-ms", seconds), AbsurdOption(features, "--hop-ms", seconds),
            AbsurdOption(features, "--n-mels", ["0", huge]),   // --n-fft is refused as "invalid n_fft" (a test pins that line)
            AbsurdOption(features + ["--kind", "mfcc"], "--n-mfcc", ["0", huge]), AbsurdOption(features, "--rate", ["0", huge]),
            AbsurdOption(["resample", "x.wav", "y.wav"], "--rate", ["0", huge]),
            AbsurdOption(trainSep, "--batch-size", ["0", huge]), AbsurdOption(trainSep, "--crop-seconds", seconds),
            AbsurdOption(trainSep, "--steps", ["0", enormous]), AbsurdOption(trainSep, "--checkpoint-every", ["0", enormous]),
            AbsurdOption(trainSep, "--log-every", ["0", enormous]), AbsurdOption(trainSep, "--validate-every", ["0", enormous]),
            AbsurdOption(trainSep, "--validation-mixtures", ["0", huge]), AbsurdOption(trainSep, "--validation-seconds", ["-1", "1e9"] + nonFinite),
            AbsurdOption(trainSep, "--learning-rate", ["0", "-1"] + nonFinite), AbsurdOption(trainSep, "--average-decay", ["1", "-1"] + nonFinite),
            AbsurdOption(trainKWS, "--conv-channels", ["0", huge]), AbsurdOption(trainKWS, "--layers", ["-1", huge]),
            AbsurdOption(trainKWS, "--heads", ["0", huge]), AbsurdOption(trainKWS, "--ffn-dim", ["0", huge]),
            AbsurdOption(trainKWS, "--bottleneck-dim", ["0", huge]), AbsurdOption(trainKWS, "--batch-size", ["0", huge]),
            AbsurdOption(trainKWS, "--steps", ["0", enormous]), AbsurdOption(trainKWS, "--warmup", ["-1", enormous]),
            AbsurdOption(trainKWS, "--learning-rate", ["0"] + nonFinite), AbsurdOption(trainKWS, "--label-fraction", ["0"] + nonFinite),
            AbsurdOption(trainKWS + ["--context", "c"], "--competing-talker", ["1.5,0,10", "0.2,10,0", "0.2,0", "a,b,c", "0.2,nan,1"]),
            AbsurdOption(trainKWS, "--competing-talker", ["0.2,0,15"]),   // no stream context to add a talker to
            AbsurdOption(pretrain, "--conv-channels", [huge]), AbsurdOption(pretrain, "--layers", [huge]),
            AbsurdOption(pretrain, "--time-masks", ["-1", huge]), AbsurdOption(pretrain, "--units", ["1", huge]),
            AbsurdOption(pretrain, "--temperature", ["0"] + nonFinite), AbsurdOption(pretrain, "--masked-frames-weight", ["-1"] + nonFinite),
            AbsurdOption(pretrain, "--validate-every", ["-1", enormous]),
            AbsurdOption(["eval-stream", "--labels", "l.csv"], "--tolerance", ["-1", "1e9"] + nonFinite),
            AbsurdOption(["eval-stream", "--labels", "l.csv"], "--smoothing-ms", [enormous]),
            AbsurdOption(["eval-stream", "--labels", "l.csv"], "--mine-threshold", ["-0.1", "2"] + nonFinite),
            AbsurdOption(["eval-stream", "--labels", "l.csv"], "--mine-max", ["0", "-3"]),
            AbsurdOption(["eval-stream", "--labels", "l.csv"], "--mine-negatives", ["/etc/hostname"]),   // a file, not a folder
            AbsurdOption(["train-kws", "--out", "/tmp/r"], "--hard-negatives", ["/tmp"]),   // needs --words
            AbsurdOption(["train-kws", "--out", "/tmp/r", "--words", "hey nova"], "--hard-negatives", ["/nonexistent-folder"]),
            AbsurdOption(["train-kws", "--out", "/tmp/r", "--words", "hey nova"], "--mining-minutes", ["-1", "1e9"] + nonFinite),
            AbsurdOption(["train-kws", "--out", "/tmp/r", "--words", "hey nova"], "--mining-threshold", ["0", "-0.5", "1.5"] + nonFinite),
            AbsurdOption(["train-kws", "--out", "/tmp/r"], "--mining-minutes", ["30"]),   // needs --words
            AbsurdOption(["train-kws", "--out", "/tmp/r", "--words", "hey nova"], "--first-round-steps", ["0", "-5", "2.5", huge]),
            AbsurdOption(["train-kws", "--out", "/tmp/r", "--words", "hey nova", "--mining-minutes", "0"], "--first-round-steps", ["5"]),
            AbsurdOption(["eval-sep", "--data", "d"], "--limit", ["0"]), AbsurdOption(["eval-sep", "--data", "d"], "--rate", ["1", huge]),
            AbsurdOption(["synth", "mixtures", "--out", "/tmp/m", "--count", "1"], "--dev-count", ["-1", enormous]),
            AbsurdOption(["synth", "mixtures", "--out", "/tmp/m"], "--count", ["-1", enormous]),
            AbsurdOption(["synth", "speech", "--out", "/tmp/s"], "--minutes", ["0", "-1", "1e9"] + nonFinite),
            AbsurdOption(["synth", "kws", "--out", "/tmp/k"], "--per-word", ["0", enormous]),
            AbsurdOption(["synth", "stream", "--out", "/tmp/st", "--minutes", "1"], "--talker-share", ["-0.1", "1.5", "0.9"] + nonFinite),
            AbsurdOption(["synth", "stream", "--out", "/tmp/st", "--minutes", "1"], "--noise-share", ["-1", "2"] + nonFinite),
            AbsurdOption(["bench", "gemm"], "--frames", ["0", huge]), AbsurdOption(["bench", "detect"], "--hop-ms", [huge]),
            AbsurdOption(["bench", "separate-long"], "--rate", ["0", huge]), AbsurdOption(["bench", "separate"], "--seconds", nonFinite),
        ]
    }()

    /// The real binary (a trap would end this process too): exit 2, no crash, a message naming the option.
    @Test(arguments: absurdOptions)
    func absurdOptionValuesAreUsageErrors(_ case_: AbsurdOption) throws {
        for value in case_.values {
            let arguments = case_.command + ["\(case_.option)=\(value)"]
            let result = try CommandLineRunner.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            let first = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
            #expect(first.contains(case_.option), "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments)")
        }
    }

    @Test func boundsSayTheAllowedRange() throws {
        let window = try CommandLineRunner.run(["separate", "x.wav", "--window-seconds", "inf"])
        #expect(window.stderr.hasPrefix("Error: --window-seconds inf: must be a finite number from 0.25 to 60 s\n"), "\(window.stderr)")
        let zero = try CommandLineRunner.run(["separate", "x.wav", "--window-seconds", "0"])
        #expect(zero.stderr.hasPrefix("Error: --window-seconds 0: must be"), "\(zero.stderr)")   // not --overlap-seconds
        let rate = try CommandLineRunner.run(["detect", "-", "--rate", "1"])
        #expect(rate.stderr.hasPrefix("Error: --rate 1: must be 4000 to 384000 Hz\n"), "\(rate.stderr)")
        let layers = try CommandLineRunner.run(["train-kws", "--data", "d", "--labels", "12", "--out", "r", "--layers", Self.huge])
        #expect(layers.stderr.hasPrefix("Error: --layers 1000000000: must be 0 to \(KWSConfiguration.limits.layers)\n"), "\(layers.stderr)")
        let mels = try CommandLineRunner.run(["features", "x.wav", "--out", "y.npy", "--n-mels", "1", "--n-mfcc", "2"])
        #expect(mels.stderr.hasPrefix("Error: --n-mfcc 2: must be 1 to --n-mels (1)\n"), "\(mels.stderr)")
    }

    /// `--n-mels 1` alone is a log-mel of one band, not an error about MFCCs.
    @Test func fewMelsNeedNoMFCCOption() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: Self.mixture()), to: dir.file("in.wav"))
        #expect(SepKWS.run(["features", dir.file("in.wav"), "--out", dir.file("f.npy"), "--rate", "8000", "--n-mels", "1"]) == 0)
        #expect(SepKWS.run(["features", dir.file("in.wav"), "--out", dir.file("g.npy"), "--rate", "8000", "--n-mels", "8", "--kind", "mfcc"]) == 0)
    }
}
