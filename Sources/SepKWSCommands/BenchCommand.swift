import ArgumentParser

/// `sepkws bench`: speed measurements of the engine and the pipelines (median of several runs,
/// with a baseline measured in the same run).
public struct Bench: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Measure the speed of the engine and the pipelines.",
        subcommands: [BenchFeatures.self])

    public init() {}
}
