/// A dataset folder or manifest that is not what its layout promises, with what is wrong and where.
public enum DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A folder the layout needs is missing.
    case missingFolder(path: String, layout: String)
    /// A split has no examples.
    case emptySplit(split: String, path: String)
    /// A mixture lacks one of its files.
    case missingSource(mixture: String, expected: String)
    /// A CSV or list file is malformed.
    case malformedManifest(path: String, line: Int, reason: String)
    /// A label set or option is impossible.
    case invalidOption(name: String, value: String, reason: String)
    /// The folder holds no audio files.
    case noAudioFiles(path: String)

    public var description: String {
        switch self {
        case .missingFolder(let path, let layout): "\(path): missing folder (expected in a \(layout) layout)"
        case .emptySplit(let split, let path): "\(path): the \(split) split has no examples"
        case .missingSource(let mixture, let expected): "mixture \(mixture): missing \(expected)"
        case .malformedManifest(let path, let line, let reason): "\(path):\(line): \(reason)"
        case .invalidOption(let name, let value, let reason): "invalid \(name) \(value): \(reason)"
        case .noAudioFiles(let path): "\(path): no audio files found"
        }
    }
}
