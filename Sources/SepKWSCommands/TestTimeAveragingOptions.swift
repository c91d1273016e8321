import ArgumentParser
import Separation

/// `--shifts N` and `--both-polarities`: how many passes of the separator are averaged per window
/// (``MossFormer2Separator/separate(_:shifts:bothPolarities:)``), shared by `separate` and `eval-sep`.
struct TestTimeAveragingOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Separate each window this many times, shifted by fractions of the encoder stride, and average (1-8).",
        discussion: "Test-time shift averaging: costs that many passes; 4 adds about 0.2 dB SI-SNRi with the shipped model."))
    var shifts = 1

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Also separate the negated mixture and average in its estimates, negated back (twice the passes).",
        discussion: """
            Makes the output exactly polarity-equivariant: a recording and its negation separate alike. On by default: \
            a recording's polarity is unknown, and the shipped model scores 11.4 dB SI-SNRi on either with it, against \
            11.35 as recorded and 10.9 negated without (--no-both-polarities: one pass, half the compute).
            """))
    var bothPolarities = true

    mutating func validate() throws {
        try OptionBounds.check("--shifts", shifts, 1...64)   // a model may take fewer: see check(_:model:)
    }

    /// Refuses a `--shifts` value `separator` cannot take (more than its encoder stride), naming the model.
    /// - Throws: `ValidationError`.
    func check(_ separator: MossFormer2Separator, model directory: String) throws {
        guard shifts <= separator.maximumShifts else {
            throw ValidationError("--shifts \(shifts): \(directory) takes at most \(separator.maximumShifts) (its encoder stride)")
        }
    }

    /// `[numSpks][T]` estimates of `mixture` (`[T]` at the model's rate) averaged over the passes asked for.
    func separate(_ mixture: [Float], with separator: MossFormer2Separator) -> [[Float]] {
        separator.separate(mixture, shifts: shifts, bothPolarities: bothPolarities)
    }
}
