import AudioIO
import Foundation
import NN
import TensorCore
import Testing
import TestSupport
@testable import Training

/// A tiny two-layer model for the training-machinery tests.
final class TinyModel: Layer {
    let first: Linear, second: Linear
    var isTraining = true
    init(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        first = Linear(inputFeatures: 3, outputFeatures: 8, rng: &rng)
        second = Linear(inputFeatures: 8, outputFeatures: 2, rng: &rng)
    }
    var children: [(name: String, layer: any Layer)] { [("first", first), ("second", second)] }
    func callAsFunction(_ x: Tensor) -> Tensor { second(first(x).tanh()) }
}

/// One training step on random data drawn from `seed` (everything random comes from the seed).
func tinyStep(_ model: TinyModel, _ optimizer: Adam, seed: UInt64) -> [String: Double] {
    var rng = SplitMix64(seed: seed)
    let x = Tensor.randomNormal([16, 3], using: &rng)
    let targets = (0..<16).map { i in x.scalars[i * 3] + x.scalars[i * 3 + 1] > 0 ? 1 : 0 }
    let loss = Losses.crossEntropy(logits: model(x), targets: targets)
    loss.backward()
    optimizer.step()
    optimizer.zeroGrad()
    return ["loss": Double(loss.item)]
}

/// Like ``TinyModel`` with a wider hidden layer.
final class WiderModel: Layer {
    let first = Linear(inputFeatures: 3, outputFeatures: 9, seed: 1), second = Linear(inputFeatures: 9, outputFeatures: 2, seed: 2)
    var isTraining = true
    var children: [(name: String, layer: any Layer)] { [("first", first), ("second", second)] }
}

@Suite("Training checkpoints and resume", .serialized)
struct CheckpointTests {
    @Test func checkpointRoundTripRestoresWeightsOptimizerAndState() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = TinyModel(seed: 1)
        let adam = Adam(parameters: model.namedParameters(), learningRate: 0.01)
        for s in 0..<3 { _ = tinyStep(model, adam, seed: UInt64(s)) }
        let state = TrainingState(step: 3, randomState: 0xDEAD_BEEF_0123, configuration: "{\"a\":1}", extra: ["best": "0.5"])
        try TrainingCheckpoint.save(model: model, optimizer: adam, state: state, runDirectory: dir.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["checkpoint.safetensors"])

        let other = TinyModel(seed: 99)
        let otherAdam = Adam(parameters: other.namedParameters(), learningRate: 0.01)
        let loaded = try TrainingCheckpoint.load(into: other, optimizer: otherAdam, runDirectory: dir.path)
        #expect(loaded == state)
        for ((k1, t1), (k2, t2)) in zip(model.namedParameters(), other.namedParameters()) {
            #expect(k1 == k2 && t1.scalars == t2.scalars)
        }
        #expect(otherAdam.stepCount == 3)
        // The next step is identical, so the optimizer moments were restored too.
        _ = tinyStep(model, adam, seed: 7)
        _ = tinyStep(other, otherAdam, seed: 7)
        #expect(model.second.weight.scalars == other.second.weight.scalars)
    }

    @Test func loadingRejectsForeignAndMismatchedCheckpoints() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = TinyModel(seed: 1)
        let adam = Adam(parameters: model.namedParameters())
        #expect(throws: TrainingError.noCheckpoint(path: dir.path)) { try TrainingCheckpoint.readState(runDirectory: dir.path) }
        #expect(throws: TrainingError.runDirectoryMissing(path: dir.file("nope"))) { try TrainingCheckpoint.readState(runDirectory: dir.file("nope")) }
        // A plain safetensors file is not a training checkpoint.
        try SafeTensors.write(["x": Tensor([1], shape: [1])], metadata: ["format": "pt"], to: URL(fileURLWithPath: dir.file("checkpoint.safetensors")))
        #expect(throws: TrainingError.incompatibleCheckpoint(
            path: dir.file("checkpoint.safetensors"), reason: "format is 'pt', expected 'sepkws-training-checkpoint'")) {
            try TrainingCheckpoint.load(into: model, optimizer: adam, runDirectory: dir.path)
        }
        // A checkpoint of a different model names the misshapen key.
        let wider = WiderModel()
        try TrainingCheckpoint.save(model: wider, optimizer: Adam(parameters: wider.namedParameters()),
                                    state: TrainingState(step: 1, randomState: 1, configuration: "{}"), runDirectory: dir.path)
        let error = #expect(throws: TrainingError.self) { try TrainingCheckpoint.load(into: model, optimizer: adam, runDirectory: dir.path) }
        #expect(error?.description.contains("Shape mismatch for 'first.weight': model expects [8, 3], checkpoint has [9, 3]") == true)
    }

    @Test func logKeepsRowsUpToTheResumedStep() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("log.csv")
        let log = try TrainingLog(path: path, columns: ["step", "loss"], resumingAt: nil)
        for s in [10, 20, 30] { try log.append(["step": Double(s), "loss": 0.5]) }
        let resumed = try TrainingLog(path: path, columns: ["step", "loss"], resumingAt: 20)
        try resumed.append(["step": 30, "loss": 0.25])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "step,loss\n10,0.5\n20,0.5\n30,0.25\n")
        #expect(throws: TrainingError.self) { try TrainingLog(path: path, columns: ["step", "acc"], resumingAt: 10) }
        // A log written before a column was added continues under the new header, its old rows padded.
        let widened = try TrainingLog(path: path, columns: ["step", "loss", "extra"], resumingAt: 20)
        try widened.append(["step": 30, "loss": 0.25, "extra": 2])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "step,loss,extra\n10,0.5,\n20,0.5,\n30,0.25,2\n")
        #expect(throws: TrainingError.self) { try TrainingLog(path: path, columns: ["step"], resumingAt: 10) }
    }

    /// N steps straight vs N/2, a stop, a resume from the checkpoint and N/2 more: bit-identical weights and logs.
    @Test func resumeIsBitExact() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let schedule = TrainingSchedule(totalSteps: 12, logEvery: 2, validateEvery: 0, checkpointEvery: 5)
        func train(_ run: String, stopAt: Int?) throws -> (TinyModel, TrainingOutcome) {
            let model = TinyModel(seed: 3)
            let adam = Adam(parameters: model.namedParameters(), learningRate: 0.05)
            let runner = TrainingCheckpoint.exists(in: run)
                ? try TrainingRunner(resuming: run, model: model, optimizer: adam, logColumns: ["step", "loss"])
                : try TrainingRunner(starting: run, model: model, optimizer: adam, seed: 42, configuration: "{}", logColumns: ["step", "loss"])
            let stop = StopSignal(signals: [])
            let outcome = try runner.run(schedule: schedule, stopSignal: stop) { index, seed in
                if index + 1 == stopAt { stop.request(SIGTERM) }
                return tinyStep(model, adam, seed: seed)
            }
            return (model, outcome)
        }
        let (straight, straightOutcome) = try train(dir.file("a"), stopAt: nil)
        #expect(straightOutcome == .finished(step: 12))
        let (_, firstHalf) = try train(dir.file("b"), stopAt: 6)
        #expect(firstHalf == .stopped(step: 6, signal: SIGTERM))
        #expect(try TrainingCheckpoint.readState(runDirectory: dir.file("b")).step == 6)
        let (resumed, secondHalf) = try train(dir.file("b"), stopAt: nil)
        #expect(secondHalf == .finished(step: 12))
        for ((key, a), (_, b)) in zip(straight.namedParameters(), resumed.namedParameters()) {
            #expect(a.scalars == b.scalars, "\(key) differs after resume")
        }
        func losses(_ run: String) throws -> [String] {
            try String(contentsOfFile: dir.file(run + "/log.csv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").prefix(2).joined(separator: ",") }
        }
        #expect(try losses("a") == losses("b"))
        #expect(try losses("a").count == 7)
    }

    @Test func freshRunRefusesAFolderWithACheckpoint() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = TinyModel(seed: 1)
        let adam = Adam(parameters: model.namedParameters())
        let runner = try TrainingRunner(starting: dir.path, model: model, optimizer: adam, seed: 1, configuration: "{}", logColumns: ["step"])
        try runner.checkpoint(step: 0)
        #expect(throws: TrainingError.runExists(path: dir.path)) {
            try TrainingRunner(starting: dir.path, model: model, optimizer: adam, seed: 1, configuration: "{}", logColumns: ["step"])
        }
    }

    @Test func sigtermSetsTheStopFlagWithoutKillingTheProcess() async throws {
        let stop = StopSignal(signals: [SIGUSR1])
        defer { stop.cancel() }
        #expect(!stop.isRequested)
        kill(getpid(), SIGUSR1)
        for _ in 0..<1000 where !stop.isRequested { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(stop.signalNumber == SIGUSR1)
    }
}
