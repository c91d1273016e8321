/// Impossible streaming settings.
public enum StreamingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A window, hop or overlap that cannot work; `reason` says why.
    case invalidPlan(window: Int, overlap: Int, reason: String)
    /// Detection rules that cannot work; the text says why.
    case invalidDetectionSettings(String)
    /// An option of the detection rules (keywords, thresholds) is malformed or names no label; `message` says which.
    case invalidRule(message: String)

    public var description: String {
        switch self {
        case .invalidPlan(let window, let overlap, let reason): "invalid chunk plan (window \(window), overlap \(overlap) samples): \(reason)"
        case .invalidDetectionSettings(let reason): "invalid detection settings: \(reason)"
        case .invalidRule(let message): message
        }
    }
}
