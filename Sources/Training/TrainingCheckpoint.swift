import Foundation
import NN
import TensorCore

/// A training run's checkpoint: one file, `RUN/checkpoint.safetensors`, holding the model weights (`model.<key>`),
/// the optimizer state (`optimizer.<key>`), any tensors the trainer keeps besides them (`auxiliary.<key>`, for
/// example a weight average) and, in the safetensors metadata, the format name and version, the
/// step, the random state, the run's settings (JSON) and the trainer's extra values.
///
/// The file is written beside its destination, flushed to disk and renamed over it, so a crash or a kill at any
/// moment leaves either the previous checkpoint or the new one, never a partial file. It is the only file
/// a run overwrites.
///
/// ```swift
/// try TrainingCheckpoint.save(model: model, optimizer: adam, state: state, runDirectory: "runs/kws")
/// let resumed = try TrainingCheckpoint.load(into: model, optimizer: adam, runDirectory: "runs/kws")
/// ```
public enum TrainingCheckpoint {
    /// The checkpoint's file name inside a run folder.
    public static let fileName = "checkpoint.safetensors"
    /// The `format` metadata value.
    public static let formatName = "sepkws-training-checkpoint"
    /// The `format_version` this build writes and reads.
    public static let formatVersion = 1

    /// The checkpoint path of a run folder.
    public static func path(in runDirectory: String) -> String {
        (runDirectory as NSString).appendingPathComponent(fileName)
    }

    /// Whether `runDirectory` holds a checkpoint.
    public static func exists(in runDirectory: String) -> Bool {
        FileManager.default.fileExists(atPath: path(in: runDirectory))
    }

    /// Writes the checkpoint atomically (temporary file, fsync, rename).
    /// - Parameters:
    ///   - model: the model; every parameter and buffer is saved under `model.<key>`.
    ///   - optimizer: its ``NN/Optimizer/stateTensors()`` are saved under `optimizer.<key>`.
    ///   - state: step, random state, settings, extra values.
    ///   - auxiliary: other tensors of the trainer, saved under `auxiliary.<key>` (read back by
    ///     ``auxiliaryTensors(runDirectory:)``).
    ///   - runDirectory: an existing folder.
    /// - Throws: ``TrainingError/runDirectoryMissing(path:)``, ``TrainingError/fileAccess(path:reason:)``.
    public static func save(model: any Layer, optimizer: any Optimizer, state: TrainingState, auxiliary: [String: Tensor] = [:],
                            runDirectory: String) throws(TrainingError) {
        var tensors: [String: Tensor] = [:]
        for (key, t) in model.stateDict() { tensors["model." + key] = t }
        for (key, t) in optimizer.stateTensors() { tensors["optimizer." + key] = t }
        for (key, t) in auxiliary { tensors[auxiliaryPrefix + key] = t }
        let extraJSON = String(decoding: (try? JSONSerialization.data(withJSONObject: state.extra, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
        let metadata = [
            "format": formatName, "format_version": String(formatVersion), "step": String(state.step),
            "random_state": String(state.randomState), "configuration": state.configuration, "extra": extraJSON,
        ]
        let data = SafeTensors(tensors: tensors, metadata: metadata).encoded()
        try writeAtomically(data, to: path(in: runDirectory), runDirectory: runDirectory)
    }

    /// Reads only the metadata of a run's checkpoint (to rebuild the model before loading its weights).
    /// - Throws: ``TrainingError``.
    public static func readState(runDirectory: String) throws(TrainingError) -> TrainingState {
        try state(of: try read(runDirectory: runDirectory), path: path(in: runDirectory))
    }

    /// The model tensors of a run's checkpoint, keys without the `model.` prefix (to initialize another model).
    /// - Throws: ``TrainingError``.
    public static func modelTensors(runDirectory: String) throws(TrainingError) -> [String: Tensor] {
        try contents(runDirectory: runDirectory).model
    }

    /// The trainer's auxiliary tensors of a run's checkpoint, keys without the `auxiliary.` prefix (empty when it has none).
    /// - Throws: ``TrainingError``.
    public static func auxiliaryTensors(runDirectory: String) throws(TrainingError) -> [String: Tensor] {
        try contents(runDirectory: runDirectory).auxiliary
    }

    /// A run's checkpoint from one read: its state, model tensors and auxiliary tensors (keys without their prefixes).
    /// - Throws: ``TrainingError``.
    public static func contents(runDirectory: String) throws(TrainingError)
        -> (state: TrainingState, model: [String: Tensor], auxiliary: [String: Tensor]) {
        let file = try read(runDirectory: runDirectory)
        let state = try state(of: file, path: path(in: runDirectory))
        var model: [String: Tensor] = [:], auxiliary: [String: Tensor] = [:]
        for (key, t) in file.tensors {
            if key.hasPrefix("model.") {
                model[String(key.dropFirst(6))] = t
            } else if key.hasPrefix(auxiliaryPrefix) {
                auxiliary[String(key.dropFirst(auxiliaryPrefix.count))] = t
            }
        }
        return (state, model, auxiliary)
    }

    private static let auxiliaryPrefix = "auxiliary."

    /// Restores model weights and optimizer state (strictly: every key must match) and returns the state. Auxiliary
    /// tensors are left for ``auxiliaryTensors(runDirectory:)``.
    /// - Throws: ``TrainingError/noCheckpoint(path:)``, ``TrainingError/incompatibleCheckpoint(path:reason:)``,
    ///   ``TrainingError/checkpointMismatch(path:_:)``.
    public static func load(into model: any Layer, optimizer: any Optimizer, runDirectory: String) throws(TrainingError) -> TrainingState {
        let file = try read(runDirectory: runDirectory)
        let filePath = path(in: runDirectory)
        let state = try state(of: file, path: filePath)
        var modelTensors: [String: Tensor] = [:], optimizerTensors: [String: Tensor] = [:], stray: [String] = []
        for (key, t) in file.tensors {
            if key.hasPrefix("model.") {
                modelTensors[String(key.dropFirst(6))] = t
            } else if key.hasPrefix("optimizer.") {
                optimizerTensors[String(key.dropFirst(10))] = t
            } else if !key.hasPrefix(auxiliaryPrefix) {
                stray.append(key)
            }
        }
        if !stray.isEmpty { throw .checkpointMismatch(path: filePath, .unexpectedKeys(stray.sorted())) }
        do {
            try model.load(modelTensors)
            try optimizer.loadState(optimizerTensors)
        } catch {
            throw .checkpointMismatch(path: filePath, error)
        }
        return state
    }

    private static func read(runDirectory: String) throws(TrainingError) -> SafeTensors {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: runDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .runDirectoryMissing(path: runDirectory)
        }
        let filePath = path(in: runDirectory)
        guard FileManager.default.fileExists(atPath: filePath) else { throw .noCheckpoint(path: runDirectory) }
        do {
            return try SafeTensors.read(contentsOf: URL(fileURLWithPath: filePath))
        } catch {
            throw .incompatibleCheckpoint(path: filePath, reason: error.description)
        }
    }

    private static func state(of file: SafeTensors, path: String) throws(TrainingError) -> TrainingState {
        let meta = file.metadata
        guard meta["format"] == formatName else {
            throw .incompatibleCheckpoint(path: path, reason: "format is '\(meta["format"] ?? "none")', expected '\(formatName)'")
        }
        guard meta["format_version"] == String(formatVersion) else {
            throw .incompatibleCheckpoint(
                path: path, reason: "format version \(meta["format_version"] ?? "none"); this build reads version \(formatVersion)")
        }
        guard let step = meta["step"].flatMap(Int.init), step >= 0,
            let random = meta["random_state"].flatMap(UInt64.init), let configuration = meta["configuration"]
        else {
            throw .incompatibleCheckpoint(path: path, reason: "metadata lacks step, random_state or configuration")
        }
        var extra: [String: String] = [:]
        if let text = meta["extra"], let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String] {
            extra = object
        }
        return TrainingState(step: step, randomState: random, configuration: configuration, extra: extra)
    }

    /// Writes `data` to `destination` through a flushed temporary file in the same folder and a rename.
    /// - Throws: ``TrainingError``.
    public static func writeAtomically(_ data: Data, to destination: String, runDirectory: String) throws(TrainingError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: runDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .runDirectoryMissing(path: runDirectory)
        }
        let folder = (destination as NSString).deletingLastPathComponent
        let temporary = (folder as NSString).appendingPathComponent(
            ".\((destination as NSString).lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).partial")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .fileAccess(path: temporary, reason: String(cString: strerror(errno))) }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil && rename(temporary, destination) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw .fileAccess(path: destination, reason: failure)
        }
    }
}
