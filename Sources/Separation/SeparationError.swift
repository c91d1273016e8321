import NN

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
    /// The model folder or a configuration file cannot be read or written, or its weights do not fit
    /// (``ModelDirectory``'s vocabulary, shared by every model kind).
    case modelDirectory(ModelDirectoryError)
    /// No model was given and none is shipped.
    case noModel(hint: String)

    public var description: String {
        switch self {
        case .unreadableConfiguration(let path, let reason): "\(path): cannot read the configuration (\(reason))"
        case .unknownKeys(let path, let keys): "\(path): unknown configuration keys \(keys.joined(separator: ", "))"
        case .invalidConfiguration(let field, let value, let reason): "invalid \(field) \(value): \(reason)"
        case .invalidConfigurationFile(let path, let field, let value, let reason): "\(path): invalid \(field) \(value): \(reason)"
        case .modelDirectory(let error): error.description
        case .noModel(let hint): "no separation model: \(hint)"
        }
    }
}
