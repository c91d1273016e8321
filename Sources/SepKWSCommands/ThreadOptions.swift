import ArgumentParser
import Foundation

/// `--threads N`: the one level of parallelism a command uses (default: every core). Commands pass it to
/// `Threading.setThreads`, which sets every pool: the GEMM panels and the element-wise worker pool.
struct ThreadOptions: ParsableArguments {
    @Option(help: "Worker threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    mutating func validate() throws {
        guard (1...256).contains(threads) else { throw ValidationError("--threads \(threads): must be 1 to 256") }
    }
}
