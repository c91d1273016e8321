import AudioIO
import Foundation
import NN
import TensorCore

/// A training run on disk: the run folder, its checkpoint, its CSV log and the trainer's random generator,
/// around a ``TrainingLoop``. Both trainers use it, so they share one way to start, resume, save and stop.
///
/// Every step receives a fresh seed drawn from the run's generator; everything random in a step must come from
/// it. The generator's state is saved with each checkpoint, so a resumed run draws exactly the seeds the
/// uninterrupted run would have drawn.
///
/// ```swift
/// let runner = try TrainingRunner(starting: "runs/a", model: m, optimizer: adam, seed: 1, configuration: json, logColumns: cols)
/// let outcome = try runner.run(schedule: schedule, stopSignal: StopSignal()) { step, seed in ["loss": trainStep(step, seed)] }
/// ```
public final class TrainingRunner {
    /// The run folder.
    public let runDirectory: String
    /// The model whose weights are checkpointed.
    public let model: any Layer
    /// The optimizer whose state is checkpointed.
    public let optimizer: any Optimizer
    /// The run settings (JSON) stored in every checkpoint.
    public let configuration: String
    /// Steps done when this process started (0 for a fresh run).
    public let startStep: Int
    /// The run's CSV log (`RUN/log.csv`).
    public let log: TrainingLog
    /// Small values the trainer keeps across resumes (saved with every checkpoint).
    public var extra: [String: String]
    /// Called after every checkpoint with its step (for example to export a model folder).
    public var afterCheckpoint: ((Int) throws -> Void)?
    /// A moving average of the model's weights, updated after every step and saved with every checkpoint
    /// (``keepWeightAverage(decay:)``), or nil.
    public private(set) var average: ExponentialMovingAverage?
    private var rng: SplitMix64

    /// The log file of a run folder.
    public static func logPath(in runDirectory: String) -> String { (runDirectory as NSString).appendingPathComponent("log.csv") }

    /// Starts a fresh run in `runDirectory` (created if missing; refused if it already holds a checkpoint), taking its
    /// ``RunLock`` for the life of the process.
    /// - Throws: ``TrainingError/runExists(path:)``, ``TrainingError/fileAccess(path:reason:)``.
    public init(starting runDirectory: String, model: any Layer, optimizer: any Optimizer, seed: UInt64, configuration: String, logColumns: [String]) throws(TrainingError) {
        if TrainingCheckpoint.exists(in: runDirectory) { throw .runExists(path: runDirectory) }
        do { try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true) } catch {
            throw .fileAccess(path: runDirectory, reason: FileSystemMessage.reason(error))
        }
        try RunLock.acquire(runDirectory: runDirectory)
        if TrainingCheckpoint.exists(in: runDirectory) { throw .runExists(path: runDirectory) }
        self.runDirectory = runDirectory
        self.model = model
        self.optimizer = optimizer
        self.configuration = configuration
        self.startStep = 0
        self.extra = [:]
        self.rng = SplitMix64(seed: seed)
        self.log = try TrainingLog(path: Self.logPath(in: runDirectory), columns: logColumns, resumingAt: nil)
    }

    /// Resumes the run in `runDirectory`: takes its ``RunLock``, then loads its checkpoint into `model` and `optimizer` (strictly).
    /// - Throws: ``TrainingError``.
    public init(resuming runDirectory: String, model: any Layer, optimizer: any Optimizer, logColumns: [String]) throws(TrainingError) {
        try RunLock.acquire(runDirectory: runDirectory)
        let state = try TrainingCheckpoint.load(into: model, optimizer: optimizer, runDirectory: runDirectory)
        self.runDirectory = runDirectory
        self.model = model
        self.optimizer = optimizer
        self.configuration = state.configuration
        self.startStep = state.step
        self.extra = state.extra
        self.rng = SplitMix64(seed: state.randomState)
        self.log = try TrainingLog(path: Self.logPath(in: runDirectory), columns: logColumns, resumingAt: state.step)
    }

    /// Keeps a moving average of the model's weights from now on (Polyak averaging; the weights a trainer validates
    /// and exports, ``withValidatedWeights(_:)``). A resumed run takes the averages its checkpoint saved; one
    /// that had none starts the average at the current weights. The optimizer's steps do not change.
    /// - Parameter decay: in [0, 1); 0.999 averages about the last 1,000 steps.
    /// - Throws: ``TrainingError/checkpointMismatch(path:_:)`` when saved averages do not fit the model.
    public func keepWeightAverage(decay: Float) throws {
        average = try ExponentialMovingAverage.restored(
            parameters: model.namedParameters(), decay: decay, resuming: startStep > 0 ? runDirectory : nil)
    }

    /// Runs `body` with the weights that validation scores and exports: the moving average when the run keeps one,
    /// else the raw weights; the raw ones are back afterwards.
    public func withValidatedWeights<T>(_ body: () throws -> T) rethrows -> T {
        if let average { return try average.withAveragedWeights(body) }
        return try body()
    }

    /// Saves the checkpoint of `step` now.
    /// - Throws: ``TrainingError``.
    public func checkpoint(step: Int) throws {
        let state = TrainingState(step: step, randomState: rng.state, configuration: configuration, extra: extra)
        try TrainingCheckpoint.save(model: model, optimizer: optimizer, state: state, auxiliary: average?.checkpointTensors() ?? [:],
                                    runDirectory: runDirectory)
        try afterCheckpoint?(step)
    }

    /// Runs the remaining steps of `schedule`.
    /// - Parameters:
    ///   - schedule: total steps and intervals.
    ///   - stopSignal: polled after every step; a stop saves a checkpoint and returns.
    ///   - step: does step `index` with randomness from `seed`; returns its metrics.
    ///   - validate: validation metrics after `done` steps (must not use the run's randomness).
    ///   - progress: called after every step.
    /// - Returns: how the run ended.
    public func run(
        schedule: TrainingSchedule, stopSignal: StopSignal,
        step: (_ index: Int, _ seed: UInt64) throws -> [String: Double],
        validate: ((Int) throws -> [String: Double])? = nil,
        progress: (TrainingProgress) -> Void = { _ in }
    ) throws -> TrainingOutcome {
        let loop = TrainingLoop(schedule: schedule, stopSignal: stopSignal)
        let snapshotEvery = schedule.snapshotEvery, total = schedule.totalSteps
        if startStep == 0, WeightSnapshots.isDue(done: 0, total: total, every: snapshotEvery) {
            try WeightSnapshots.write(model: model, step: 0, runDirectory: runDirectory)
        }
        return try loop.run(
            startStep: startStep,
            step: { index in
                let seed = rng.next()
                let metrics = try step(index, seed)
                average?.update(step: index)
                // Weights only, outside the random stream: snapshots never change the run.
                if WeightSnapshots.isDue(done: index + 1, total: total, every: snapshotEvery) {
                    try WeightSnapshots.write(model: model, step: index + 1, runDirectory: runDirectory)
                }
                return metrics
            },
            validate: validate,
            log: { row in try log.append(row) },
            checkpoint: { done in try checkpoint(step: done) },
            progress: progress)
    }
}
