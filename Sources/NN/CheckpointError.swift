import TensorCore

/// Errors from loading weights into a model: every problem is named, all in one message.
public enum CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Model keys the checkpoint does not provide.
    case missingKeys([String])
    /// Checkpoint keys the model does not use.
    case unexpectedKeys([String])
    /// A key whose checkpoint shape differs from the model's.
    case shapeMismatch(key: String, expected: Shape, actual: Shape)
    /// Several of the above at once.
    case multiple([CheckpointError])
    /// The checkpoint file could not be read.
    case unreadable(TensorError)
    /// A training-state entry is missing or malformed.
    case invalidState(String)

    /// The message, naming every key.
    public var description: String {
        switch self {
        case let .missingKeys(keys):
            return "Missing keys (in the model, not in the checkpoint): " + keys.joined(separator: ", ")
        case let .unexpectedKeys(keys):
            return "Unexpected keys (in the checkpoint, not in the model): " + keys.joined(separator: ", ")
        case let .shapeMismatch(key, expected, actual):
            return "Shape mismatch for '\(key)': model expects \(expected), checkpoint has \(actual)"
        case let .multiple(errors):
            return errors.map(\.description).joined(separator: "; ")
        case let .unreadable(error):
            return "Cannot read checkpoint: \(error)"
        case let .invalidState(reason):
            return "Invalid training state: \(reason)"
        }
    }
}
