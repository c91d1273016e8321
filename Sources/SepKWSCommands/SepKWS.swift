import ArgumentParser

/// The root `sepkws` command: separates overlapped speech and spots keywords on a CPU.
public struct SepKWS: ParsableCommand {
    /// The version printed by `sepkws --version`.
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "sepkws",
        abstract: "Separate overlapped speech and spot keywords on an ordinary CPU.",
        version: version,
        subcommands: [Info.self, Features.self, Resample.self, Bench.self])

    public init() {}
}
