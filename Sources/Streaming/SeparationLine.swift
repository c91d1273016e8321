import AudioIO
import Foundation

/// One input of `sepkws separate` as a JSON line: what `--json` prints on stdout and what `--manifest` appends.
///
/// The input is `file`, the key `info`, `classify` and `detect` use for it too. A manifest line holds `file`,
/// `outputs` and `status` (`ok`, `skipped`, `error`), with `seconds` and `real_time_factor` when separated and
/// `error` when it failed; a `--json` line holds `file`, `outputs`, `model`, `seconds`, `real_time_factor` and
/// `levels_dbfs` (null for a silent output). Keys absent from a kind of line are left out.
///
/// ```swift
/// try log.append(SeparationLine.separated(file: "a.wav", outputs: ["a_s1.wav", "a_s2.wav"], report: report))
/// print(try SeparationLine.summary(file: "a.wav", outputs: outs, model: "Models/mossformer2-8k", report: report).json())
/// ```
public struct SeparationLine: Encodable, Sendable, Equatable {
    /// What became of an input in a batch run.
    public enum Status: String, Encodable, Sendable { case ok, skipped, error }

    /// The input, as given (`-` for stdin).
    public var file: String
    /// Its output files, one per talker.
    public var outputs: [String]
    public var status: Status?
    /// The model folder that separated it.
    public var model: String?
    /// Seconds of audio separated.
    public var seconds: Double?
    public var realTimeFactor: Double?
    /// Each output's RMS in dBFS (nil: silent).
    public var levels: [Double?]?
    /// Why the input failed.
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case file, outputs, status, model, seconds, error
        case realTimeFactor = "real_time_factor", levels = "levels_dbfs"
    }

    /// A manifest line: the input was separated.
    public static func separated(file: String, outputs: [String], report: FileSeparationReport) -> SeparationLine {
        SeparationLine(file: file, outputs: outputs, status: .ok, seconds: report.seconds, realTimeFactor: report.realTimeFactor)
    }

    /// A manifest line: every output existed, so the input was not separated again.
    public static func skipped(file: String, outputs: [String]) -> SeparationLine {
        SeparationLine(file: file, outputs: outputs, status: .skipped)
    }

    /// A manifest line: the input failed with `error`.
    public static func failed(file: String, outputs: [String], error: any Error) -> SeparationLine {
        SeparationLine(file: file, outputs: outputs, status: .error, error: "\(error)")
    }

    /// The `--json` line of a separated input (levels to 2 decimals).
    public static func summary(file: String, outputs: [String], model: String, report: FileSeparationReport) -> SeparationLine {
        SeparationLine(
            file: file, outputs: outputs, model: model, seconds: report.seconds, realTimeFactor: report.realTimeFactor,
            levels: report.levels.map { $0.map { ($0 * 100).rounded() / 100 } })
    }

    /// The JSON line (sorted keys, no trailing newline).
    public func json() throws -> String { try JSONLine.encode(self) }
}
