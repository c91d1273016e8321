import NN
import TensorCore

/// Failures of the keyword spotter: configurations, model folders, weights.
public enum KeywordSpottingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A configuration value is impossible (`field` is the JSON key).
    case invalidConfiguration(field: String, value: String, reason: String)
    /// A value of a configuration file (`config.json`) is impossible.
    case invalidConfigurationFile(path: String, field: String, value: String, reason: String)
    /// `config.json` is not valid JSON of the expected shape.
    case malformedConfiguration(path: String, reason: String)
    /// The model folder cannot be read or written, or its weights are not a keyword spotter's that fit the
    /// configuration (``ModelDirectory``'s vocabulary, shared by every model kind).
    case modelDirectory(ModelDirectoryError)

    public var description: String {
        switch self {
        case .invalidConfiguration(let field, let value, let reason): "invalid configuration: \(field) = \(value): \(reason)"
        case .invalidConfigurationFile(let path, let field, let value, let reason): "\(path): invalid \(field) \(value): \(reason)"
        case .malformedConfiguration(let path, let reason): "\(path): malformed model configuration: \(reason)"
        case .modelDirectory(let error): error.description
        }
    }
}
