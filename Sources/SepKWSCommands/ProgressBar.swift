import Foundation

/// A progress line on stderr: bar, percentage, count, rate and ETA (redrawn in place on a terminal; a plain line
/// every 10 s otherwise, so logs stay readable).
final class ProgressBar {
    private let label: String
    private let unit: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    /// The count at the first update (a resumed job starts part-way), for the rate and ETA.
    private var firstDone: Int?
    private let interactive = isatty(STDERR_FILENO) != 0

    init(label: String, unit: String = "items") {
        self.label = label
        self.unit = unit
    }

    /// Shows `done` of `total`; `extra` is appended (for example a loss).
    func update(done: Int, total: Int, extra: String = "") {
        let now = Date()
        if firstDone == nil { firstDone = done }
        let finished = done >= total
        guard finished || now.timeIntervalSince(lastDraw) >= (interactive ? 0.2 : 10) else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done - (firstDone ?? 0)) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int(fraction * 24)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 24 - filled)
        let line = String(format: "%@ [%@] %3.0f%% %d/%d %@ %.1f/s ETA %@ %@", label, bar, fraction * 100, done, total,
                          unit, rate, Self.duration(eta), extra)
        Console.error(interactive ? "\r\u{1B}[2K" + line + (finished ? "" : "\u{1B}[1A") : line)
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
