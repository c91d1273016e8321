import Dispatch

/// Wall-clock timing helpers for the benchmark workloads.
package enum Timing {
    /// The median wall-clock seconds of `runs` calls of `body`, after one untimed warm-up call.
    package static func median(runs: Int, _ body: () -> Void) -> Double {
        body()
        var times: [Double] = []
        for _ in 0..<max(runs, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        return times[times.count / 2]
    }
}
