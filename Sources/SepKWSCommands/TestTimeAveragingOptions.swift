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
        "Also separate the negated mixture and average in its estimates, negated back (twice the passes; default: the model's choice).",
        discussion: """
            Makes the output exactly polarity-equivariant: a recording and its negation separate alike. The default is \
            the model's own (its config.json's "both_polarities"): the shipped separator asks for it, a reference \
            checkpoint does not and so separates exactly as the reference code does.
            """))
    var bothPolarities: Bool?

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

    /// Whether `separator` runs on both polarities: as asked, else as its configuration asks.
    func usesBothPolarities(_ separator: MossFormer2Separator) -> Bool {
        bothPolarities ?? separator.configuration.bothPolarities ?? false
    }
}
