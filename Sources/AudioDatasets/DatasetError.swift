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
    /// An input list cannot be read or has a bad line.
    case inputList(path: String, line: Int?, reason: String)
    /// A file is not under the folder its outputs mirror paths from (`--relative-to`).
    case outsideRelativeRoot(path: String, root: String)
    /// Two inputs would write the same output file.
    case outputCollision(output: String, inputs: [String])

    public var description: String {
        switch self {
        case .missingFolder(let path, let layout): "\(path): missing folder (expected in a \(layout) layout)"
        case .emptySplit(let split, let path): "\(path): the \(split) split has no examples"
        case .missingSource(let mixture, let expected): "mixture \(mixture): missing \(expected)"
        case .malformedManifest(let path, let line, let reason): "\(path):\(line): \(reason)"
        case .invalidOption(let name, let value, let reason): "invalid \(name) \(value): \(reason)"
        case .noAudioFiles(let path): "\(path): no audio files found"
        case .inputList(let path, let line, let reason): "\(path)\(line.map { ":\($0)" } ?? ""): \(reason)"
        case .outsideRelativeRoot(let path, let root): "\(path): not under --relative-to \(root)"
        case .outputCollision(let output, let inputs):
            "\(output): \(inputs.joined(separator: " and ")) would both be separated into it; rename one, or separate them in separate runs with different --out-dir"
        }
    }
}
