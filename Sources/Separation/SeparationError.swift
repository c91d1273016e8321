/// A separator configuration or model directory that cannot be used, with the reason.
public enum SeparationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `config.json` is missing, unreadable or not JSON.
    case unreadableConfiguration(path: String, reason: String)
    /// `config.json` has a key the model does not know.
    case unknownKeys(path: String, keys: [String])
    /// A configuration value is impossible; `reason` says why.
    case invalidConfiguration(field: String, value: String, reason: String)
    /// A value of a configuration file is impossible.
    case invalidConfigurationFile(path: String, field: String, value: String, reason: String)
    /// The model directory lacks a file.
    case missingFile(path: String)
    /// The weights do not fit the configuration (wraps the strict loader's message).
    case incompatibleWeights(path: String, reason: String)
    /// No model was given and none is shipped.
    case noModel(hint: String)

    public var description: String {
        switch self {
        case .unreadableConfiguration(let path, let reason): "\(path): cannot read the configuration (\(reason))"
        case .unknownKeys(let path, let keys): "\(path): unknown configuration keys \(keys.joined(separator: ", "))"
        case .invalidConfiguration(let field, let value, let reason): "invalid \(field) \(value): \(reason)"
        case .invalidConfigurationFile(let path, let field, let value, let reason): "\(path): invalid \(field) \(value): \(reason)"
        case .missingFile(let path): "\(path): missing (a model directory holds config.json and model.safetensors)"
        case .incompatibleWeights(let path, let reason): "\(path): weights do not fit the configuration: \(reason)"
        case .noModel(let hint): "no separation model: \(hint)"
        }
    }
}
