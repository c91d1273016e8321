/// Impossible spectral-analysis settings, with the value and the rule it breaks.
public enum DSPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A setting is out of range; `reason` states the rule.
    case invalidParameter(name: String, value: String, reason: String)
    /// The signal is too short for a non-centered frame.
    case signalTooShort(samples: Int, needed: Int)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let value, let reason): "invalid \(name) \(value): \(reason)"
        case .signalTooShort(let samples, let needed):
            "signal of \(samples) samples is shorter than one frame (\(needed) samples)"
        }
    }
}
