import ArgumentParser
import Streaming

/// Range checks for numeric options. Every size, count, rate and time a command takes is bounded, so that an absurd
/// value (`--window-seconds 1e9`, `--layers 1000000000`) or a non-finite one (`inf`, `nan`) is refused as a usage
/// error (exit 2) that names the option and its allowed range, instead of exhausting memory or trapping.
///
/// ```swift
/// try OptionBounds.check("--window-seconds", windowSeconds, 0.1...600, unit: "s")
/// try OptionBounds.check("--batch-size", batchSize, 1...1_024)
/// ```
enum OptionBounds {
    /// Throws unless `value` (when given) lies in `range`.
    /// - Throws: `ValidationError` "NAME VALUE: must be LOW to HIGH UNIT".
    static func check<T: BinaryInteger>(_ name: String, _ value: T?, _ range: ClosedRange<T>, unit: String = "") throws {
        guard let value, !range.contains(value) else { return }
        throw ValidationError("\(name) \(value): must be \(range.lowerBound) to \(range.upperBound)\(unit.isEmpty ? "" : " " + unit)")
    }

    /// Throws unless `value` (when given) is finite and lies in `range`; with `exclusiveLower`, above its lower end.
    /// - Throws: `ValidationError` "NAME VALUE: must be a finite number from LOW to HIGH UNIT" (or "above LOW and at most HIGH").
    static func check<T: BinaryFloatingPoint>(_ name: String, _ value: T?, _ range: ClosedRange<T>, unit: String = "",
                                              exclusiveLower: Bool = false) throws {
        guard let value else { return }
        let inside = value.isFinite && range.contains(value) && !(exclusiveLower && value == range.lowerBound)
        if inside { return }
        let low = format(Double(range.lowerBound)), high = format(Double(range.upperBound))
        let span = exclusiveLower ? "above \(low) and at most \(high)" : "from \(low) to \(high)"
        throw ValidationError("\(name) \(format(Double(value))): must be a finite number \(span)\(unit.isEmpty ? "" : " " + unit)")
    }

    /// `value` without a trailing `.0` when whole (`600`, `0.5`, `inf`, `nan`, `1e+09`).
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e7 { return String(Int(value)) }
        return "\(value)".replacingOccurrences(of: "e+", with: "e")
    }
}

/// `--window-seconds` and `--overlap-seconds`: the windows of the chunked separator, one option group for `separate`,
/// `eval-sep` and `detect --separate` (and through it `eval-stream --separate`).
struct SeparationWindowOptions: ParsableArguments {
    /// The longest window: a minute of audio is already far more than the model was trained on.
    static let windows: ClosedRange<Double> = 0.25...60

    @Option(help: "Window the separator sees at once (seconds); longer inputs are cut into overlapping windows.")
    var windowSeconds = 4.0

    @Option(help: "Overlap of consecutive windows (seconds), where talkers are aligned and cross-faded.")
    var overlapSeconds = 1.0

    /// Refuses a window outside ``windows`` or an overlap that is not positive and at most half of it.
    mutating func validate() throws {
        try OptionBounds.check("--window-seconds", windowSeconds, Self.windows, unit: "s")
        guard overlapSeconds.isFinite, overlapSeconds > 0, overlapSeconds * 2 <= windowSeconds else {
            throw ValidationError("--overlap-seconds \(OptionBounds.format(overlapSeconds)): must be positive and at most half of --window-seconds (\(OptionBounds.format(windowSeconds / 2)) s)")
        }
    }

    /// The windows in samples at a model's rate.
    /// - Throws: `StreamingError` (not for values `validate()` accepted).
    func plan(sampleRate: Int) throws -> ChunkPlan {
        try ChunkPlan(windowSeconds: windowSeconds, overlapSeconds: overlapSeconds, sampleRate: sampleRate)
    }
}

/// `--rate` and `--channels` of raw PCM read from stdin (`separate -`, `detect -`).
enum StdinPCMBounds {
    /// Telephone rates and up; a lower rate expands thousands of times on the way to the model's rate.
    static let rates: ClosedRange<Int> = 4_000...384_000

    static func check(rate: Int, channels: Int) throws {
        try OptionBounds.check("--rate", rate, rates, unit: "Hz")
        try OptionBounds.check("--channels", channels, 1...64)
    }
}
