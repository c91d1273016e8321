/// Failures of a command that are not the fault of one library call: reported on stderr with exit status 1.
enum CommandFailure: Error, CustomStringConvertible, Equatable {
    /// stdout was closed by the reader.
    case brokenPipe
    /// Writing to stdout failed for another reason.
    case stdoutFailed(String)
    /// Some of several inputs failed (each was already reported).
    case someInputsFailed(failed: Int, total: Int)
    /// Two inputs would write the same output file.
    case outputCollision(output: String, inputs: [String])
    /// An input list (`--inputs`) cannot be read or has a bad line.
    case inputList(path: String, line: Int?, reason: String)
    /// A file is not under `--relative-to`.
    case outsideRelativeRoot(path: String, root: String)
    /// An input data file (a `.npy` array, say) could not be read or does not hold what the command needs.
    case inputFile(path: String, reason: String)

    var description: String {
        switch self {
        case .brokenPipe: "stdout: broken pipe (the reader closed it)"
        case .stdoutFailed(let reason): "stdout: \(reason)"
        case .someInputsFailed(let failed, let total): "\(failed) of \(total) inputs failed"
        case .inputFile(let path, let reason): "\(path): \(reason)"
        case .outputCollision(let output, let inputs):
            "\(output): \(inputs.joined(separator: " and ")) would both be separated into it; rename one, or separate them in separate runs with different --out-dir"
        case .inputList(let path, let line, let reason): "\(path)\(line.map { ":\($0)" } ?? ""): \(reason)"
        case .outsideRelativeRoot(let path, let root): "\(path): not under --relative-to \(root)"
        }
    }
}
