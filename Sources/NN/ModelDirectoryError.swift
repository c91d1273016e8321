/// Why a model folder (``ModelDirectory``) cannot be read or written: the one vocabulary of every model kind.
public enum ModelDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The folder does not exist (`path` may carry the places searched).
    case noSuchDirectory(path: String)
    /// A file the folder needs is missing.
    case missingFile(path: String)
    /// The weights file is not a readable safetensors file.
    case unreadableWeights(path: String, reason: String)
    /// The weights file names another format.
    case wrongFormat(path: String, found: String, expected: String)
    /// The weights file's format version is not the one this build reads.
    case unsupportedVersion(path: String, found: String, supported: Int)
    /// The weights do not fit the configuration (strict loading: every key and shape), `reason` naming each problem.
    case incompatibleWeights(path: String, reason: String)
    /// The weights cannot be stored as asked (a value beyond the target type's range, a failed round trip).
    case unconvertible(path: String, reason: String)
    /// The destination exists and is not replaced.
    case alreadyExists(path: String)
    /// Writing failed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .noSuchDirectory(let path): "\(path): no such model folder (expected config.json and model.safetensors)"
        case .missingFile(let path): "\(path): missing (a model folder holds config.json and model.safetensors)"
        case .unreadableWeights(let path, let reason): "\(path): unreadable safetensors: \(reason)"
        case .wrongFormat(let path, let found, let expected):
            "\(path): format is '\(found)', expected '\(expected)' (HINT: a training run folder is not a model folder; use RUN/model)"
        case .unsupportedVersion(let path, let found, let supported): "\(path): format version \(found); this build reads \(supported)"
        case .incompatibleWeights(let path, let reason): "\(path): weights do not fit the configuration: \(reason)"
        case .unconvertible(let path, let reason): "\(path): \(reason)"
        case .alreadyExists(let path): "\(path): already exists; give a new --out"
        case .writeFailed(let path, let reason): "\(path): cannot write: \(reason)"
        }
    }
}
