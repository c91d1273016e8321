import Foundation
import NN
import TensorCore

/// Weight snapshots of a training run: the model's weights alone (no optimizer state, no random state) every `N`
/// steps, as `RUN/snapshots/step-NNNNNN.safetensors`, for analyses of how the weights evolve (`sepkws info-plane`).
///
/// A snapshot is a safetensors file whose metadata holds `format` (``formatName``), `format_version` and `step`;
/// its keys are the model's state-dict keys (for `train-kws`, the keys of a model folder's `model.safetensors`).
/// Each file is written through a flushed temporary file and a rename, so a killed run never leaves half a snapshot.
///
/// ```swift
/// try WeightSnapshots.write(model: network, step: 250, runDirectory: "runs/kws")
/// for s in try WeightSnapshots.list(runDirectory: "runs/kws") { print(s.step, s.path) }
/// ```
public enum WeightSnapshots {
    /// The folder of a run that holds the snapshots.
    public static let folderName = "snapshots"
    /// The `format` metadata of a snapshot.
    public static let formatName = "sepkws-weight-snapshot"
    /// The `format_version` this build writes and reads.
    public static let formatVersion = 1

    /// `RUN/snapshots`.
    public static func folder(in runDirectory: String) -> String { (runDirectory as NSString).appendingPathComponent(folderName) }

    /// `RUN/snapshots/step-NNNNNN.safetensors` (six digits at least).
    public static func path(step: Int, runDirectory: String) -> String {
        (folder(in: runDirectory) as NSString).appendingPathComponent("step-" + String(format: "%06d", step) + ".safetensors")
    }

    /// Whether a run with snapshots every `every` steps (nil: none) writes one after `done` of `total` steps: at
    /// step 0 (the initial weights), every `every` steps and at the last step.
    public static func isDue(done: Int, total: Int, every: Int?) -> Bool {
        guard let every, every > 0 else { return false }
        return done == 0 || done % every == 0 || done == total
    }

    /// Writes the weights of `model` after `step` steps (atomically; an existing snapshot of that step is replaced).
    /// - Throws: ``TrainingError/fileAccess(path:reason:)``, ``TrainingError/runDirectoryMissing(path:)``.
    public static func write(model: any Layer, step: Int, runDirectory: String) throws(TrainingError) {
        let folder = folder(in: runDirectory)
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw .fileAccess(path: folder, reason: "\(error.localizedDescription)")
        }
        let metadata = ["format": formatName, "format_version": String(formatVersion), "step": String(step)]
        let data = SafeTensors(tensors: model.stateDict(), metadata: metadata).encoded()
        try TrainingCheckpoint.writeAtomically(data, to: path(step: step, runDirectory: runDirectory), runDirectory: runDirectory)
    }

    /// One snapshot on disk.
    public struct Entry: Sendable, Equatable {
        /// Steps done when it was taken.
        public var step: Int
        /// Its file.
        public var path: String
    }

    /// The snapshots of a run, by step (files named otherwise are ignored).
    /// - Throws: ``TrainingError/noSnapshots(path:)`` when the run has no snapshot folder or it is empty.
    public static func list(runDirectory: String) throws(TrainingError) -> [Entry] {
        let folder = folder(in: runDirectory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let entries = names.compactMap { name -> Entry? in
            guard name.hasPrefix("step-"), name.hasSuffix(".safetensors") else { return nil }
            guard let step = Int(name.dropFirst(5).dropLast(12)) else { return nil }
            return Entry(step: step, path: (folder as NSString).appendingPathComponent(name))
        }.sorted { $0.step < $1.step }
        if entries.isEmpty { throw .noSnapshots(path: runDirectory) }
        return entries
    }

    /// Reads one snapshot's tensors, checking its format.
    /// - Throws: ``TrainingError/incompatibleSnapshot(path:reason:)``.
    public static func read(_ entry: Entry) throws(TrainingError) -> [String: Tensor] {
        let file: SafeTensors
        do { file = try SafeTensors.read(contentsOf: URL(fileURLWithPath: entry.path)) } catch {
            throw .incompatibleSnapshot(path: entry.path, reason: error.description)
        }
        guard file.metadata["format"] == formatName, file.metadata["format_version"] == String(formatVersion) else {
            throw .incompatibleSnapshot(
                path: entry.path,
                reason: "format '\(file.metadata["format"] ?? "none")' version \(file.metadata["format_version"] ?? "none"), expected '\(formatName)' version \(formatVersion)")
        }
        return file.tensors
    }
}
