import NN
import TensorCore

/// Failures of the keyword spotter: configurations, model folders, weights.
public enum KeywordSpottingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A configuration value is impossible (`field` is the JSON key).
    case invalidConfiguration(field: String, value: String, reason: String)
    /// The model folder does not exist.
    case modelDirectoryMissing(path: String)
    /// A value of a configuration file (`config.json`) is impossible.
    case invalidConfigurationFile(path: String, field: String, value: String, reason: String)
    /// A file the model folder needs is missing.
    case missingFile(path: String)
    /// `config.json` is not valid JSON of the expected shape.
    case malformedConfiguration(path: String, reason: String)
    /// The weights do not fit the configuration (strict loading: every key and shape must match).
    case incompatibleWeights(path: String, CheckpointError)
    /// The weights file is not a SepKWS keyword-spotter file of a version this build reads.
    case incompatibleFormat(path: String, reason: String)
    /// Writing a model folder failed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let field, let value, let reason): "invalid configuration: \(field) = \(value): \(reason)"
        case .invalidConfigurationFile(let path, let field, let value, let reason): "\(path): invalid \(field) \(value): \(reason)"
        case .modelDirectoryMissing(let path): "\(path): no such model folder (expected config.json and model.safetensors)"
        case .missingFile(let path): "\(path): missing (a model folder holds config.json and model.safetensors)"
        case .malformedConfiguration(let path, let reason): "\(path): malformed model configuration: \(reason)"
        case .incompatibleWeights(let path, let error): "\(path): weights do not fit the configuration: \(error)"
        case .incompatibleFormat(let path, let reason): "\(path): \(reason)"
        case .writeFailed(let path, let reason): "\(path): cannot write: \(reason)"
        }
    }
}
