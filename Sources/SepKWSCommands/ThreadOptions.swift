import ArgumentParser
import Foundation
import TensorCore

/// `--threads N`: the one level of parallelism a command uses, shared by every command. ``apply(default:)`` passes
/// it to `Threading.setThreads`, which sets every pool: the GEMM panels and the element-wise worker pool.
struct ThreadOptions: ParsableArguments {
    @Option(
        name: .customLong("threads"),
        help: "Worker threads for every pool, GEMM and element-wise (default: all cores; detect and eval-stream: 1, a window per hop being too small to split).")
    var requested: Int?

    /// The count asked for, else every core.
    var threads: Int { requested ?? ProcessInfo.processInfo.activeProcessorCount }

    mutating func validate() throws {
        guard let requested, !(1...256).contains(requested) else { return }
        throw ValidationError("--threads \(requested): must be 1 to 256")
    }

    /// Sets every pool to the count asked for, else to `fallback` (default: every core).
    /// - Returns: the count set.
    @discardableResult
    func apply(default fallback: Int? = nil) -> Int {
        let count = requested ?? fallback ?? threads
        Threading.setThreads(count)
        return count
    }
}
