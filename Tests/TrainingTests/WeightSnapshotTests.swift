import AudioIO
import Foundation
import NN
import TensorCore
import Testing
import TestSupport
@testable import Training

@Suite("Weight snapshots", .serialized)
struct WeightSnapshotTests {
    /// Trains ``TinyModel`` for `steps` steps in `run` with snapshots every `every` steps.
    private func train(_ run: String, steps: Int, every: Int?) throws -> TinyModel {
        let model = TinyModel(seed: 3)
        let adam = Adam(parameters: model.namedParameters(), learningRate: 0.01)
        let runner = try TrainingRunner(starting: run, model: model, optimizer: adam, seed: 9, configuration: "{}", logColumns: ["step", "loss"])
        defer { RunLock.release(runDirectory: run) }
        let schedule = TrainingSchedule(totalSteps: steps, logEvery: 2, validateEvery: 0, checkpointEvery: 100, snapshotEvery: every)
        _ = try runner.run(schedule: schedule, stopSignal: StopSignal(signals: [])) { _, seed in tinyStep(model, adam, seed: seed) }
        return model
    }

    @Test func snapshotsAtZeroEveryNAndTheEndHoldTheWeightsAndLeaveTheRunUnchanged() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let with = try train(dir.file("a"), steps: 5, every: 2)
        let without = try train(dir.file("b"), steps: 5, every: nil)
        let snapshots = try WeightSnapshots.list(runDirectory: dir.file("a"))
        #expect(snapshots.map(\.step) == [0, 2, 4, 5])
        #expect((snapshots.last!.path as NSString).lastPathComponent == "step-000005.safetensors")
        // Snapshots never touch the run's randomness: the weights equal those of the run without them.
        for ((k1, t1), (k2, t2)) in zip(with.namedParameters(), without.namedParameters()) { #expect(k1 == k2 && t1.scalars == t2.scalars) }
        let last = try WeightSnapshots.read(snapshots.last!)
        #expect(Set(last.keys) == Set(with.stateDict().keys))
        for (key, tensor) in with.stateDict() { #expect(last[key]?.scalars == tensor.scalars) }
        // Step 0 holds the initial weights.
        #expect(try WeightSnapshots.read(snapshots[0])["first.weight"]?.scalars == TinyModel(seed: 3).first.weight.scalars)
        // Only the snapshots themselves (no temporary files) are left.
        #expect(try FileManager.default.contentsOfDirectory(atPath: WeightSnapshots.folder(in: dir.file("a"))).count == 4)
        #expect(throws: TrainingError.noSnapshots(path: dir.file("b"))) { try WeightSnapshots.list(runDirectory: dir.file("b")) }
    }

    @Test func aScheduleWithoutSnapshotsEncodesAsBefore() throws {
        let old = TrainingSchedule(totalSteps: 10, logEvery: 1, validateEvery: 2, checkpointEvery: 3)
        let json = String(decoding: try JSONEncoder().encode(old), as: UTF8.self)
        #expect(!json.contains("snapshot"))
        let decoded = try JSONDecoder().decode(TrainingSchedule.self, from: Data(#"{"total_steps":10,"log_every":1,"validate_every":2,"checkpoint_every":3}"#.utf8))
        #expect(decoded == old)
        #expect(throws: TrainingError.self) { try TrainingSchedule(totalSteps: 10, snapshotEvery: 0).validate() }
    }
}
