import NN
import TensorCore

/// Failures of the training machinery (run folders, checkpoints, logs, data), each naming the path and the reason.
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The run folder does not exist (or is not a folder).
    case runDirectoryMissing(path: String)
    /// The run folder holds no checkpoint to resume from.
    case noCheckpoint(path: String)
    /// The run folder already holds a checkpoint and would be overwritten by a fresh run.
    case runExists(path: String)
    /// A checkpoint file is not a SepKWS training checkpoint of a version this build reads.
    case incompatibleCheckpoint(path: String, reason: String)
    /// A checkpoint's tensors do not fit the model or the optimizer.
    case checkpointMismatch(path: String, CheckpointError)
    /// A file could not be read or written.
    case fileAccess(path: String, reason: String)
    /// The training log on disk does not belong to this run.
    case logMismatch(path: String, reason: String)
    /// A setting is impossible.
    case invalidOption(name: String, value: String, reason: String)
    /// Another process holds the run folder's lock (``RunLock``); `pid` is nil when its lock file names none.
    case runInUse(path: String, pid: Int32?)
    /// No usable audio was found (every file unreadable, too short or silent).
    case noUsableAudio(path: String, reason: String)
    /// A run folder holds no weight snapshots (``WeightSnapshots``).
    case noSnapshots(path: String)
    /// A weight snapshot is unreadable or of another format.
    case incompatibleSnapshot(path: String, reason: String)

    /// A `--settings` file cannot be read or does not hold the trainer's settings.
    case settingsFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .runDirectoryMissing(let path): "\(path): no such run folder"
        case .noCheckpoint(let path): "\(path): no checkpoint to resume from (expected checkpoint.safetensors)"
        case .runExists(let path): "\(path): already holds a training checkpoint; resume it with --resume \(path) or choose another --out"
        case .incompatibleCheckpoint(let path, let reason): "\(path): not a usable training checkpoint: \(reason)"
        case .checkpointMismatch(let path, let error): "\(path): checkpoint does not fit: \(error)"
        case .fileAccess(let path, let reason): "\(path): \(reason)"
        case .logMismatch(let path, let reason): "\(path): \(reason)"
        case .invalidOption(let name, let value, let reason): "invalid \(name) \(value): \(reason)"
        case .noUsableAudio(let path, let reason): "\(path): no usable audio (\(reason))"
        case .noSnapshots(let path): "\(path): no weight snapshots in \(path)/snapshots (HINT: train with --snapshot-every N)"
        case .incompatibleSnapshot(let path, let reason): "\(path): not a usable weight snapshot: \(reason)"
        case .settingsFile(let path, let reason): "--settings \(path): \(reason)"
        case .runInUse(let path, let pid):
            "\(path) is in use by \(pid.map { "process \($0)" } ?? "another process") (it holds \(path)/\(RunLock.fileName)); wait for it to stop, or stop it first"
        }
    }
}
