import AudioIO
import Foundation

/// How often a ``TrainingLoop`` logs, validates and saves, and how long it runs.
public struct TrainingSchedule: Sendable, Codable, Equatable {
    /// Total optimizer steps of the run.
    public var totalSteps: Int
    /// Steps between log rows (metrics are averaged over the interval).
    public var logEvery: Int
    /// Steps between validations (0: only at the end).
    public var validateEvery: Int
    /// Steps between checkpoints: a killed run loses at most this many steps.
    public var checkpointEvery: Int
    /// Steps between weight snapshots (``WeightSnapshots``; also at step 0 and at the end), or nil for none.
    /// Absent from settings written before snapshots existed.
    public var snapshotEvery: Int?

    enum CodingKeys: String, CodingKey {
        case totalSteps = "total_steps", logEvery = "log_every", validateEvery = "validate_every", checkpointEvery = "checkpoint_every"
        case snapshotEvery = "snapshot_every"
    }

    /// A schedule.
    public init(totalSteps: Int, logEvery: Int = 50, validateEvery: Int = 500, checkpointEvery: Int = 200, snapshotEvery: Int? = nil) {
        self.totalSteps = totalSteps
        self.logEvery = logEvery
        self.validateEvery = validateEvery
        self.checkpointEvery = checkpointEvery
        self.snapshotEvery = snapshotEvery
    }

    /// Throws if an interval is impossible.
    /// - Throws: ``TrainingError/invalidOption(name:value:reason:)``.
    public func validate() throws(TrainingError) {
        guard totalSteps >= 1 else { throw .invalidOption(name: "--steps", value: "\(totalSteps)", reason: "must be at least 1") }
        guard logEvery >= 1 else { throw .invalidOption(name: "--log-every", value: "\(logEvery)", reason: "must be at least 1") }
        guard validateEvery >= 0 else { throw .invalidOption(name: "--validate-every", value: "\(validateEvery)", reason: "must be 0 or more") }
        guard checkpointEvery >= 1 else {
            throw .invalidOption(name: "--checkpoint-every", value: "\(checkpointEvery)", reason: "must be at least 1")
        }
        if let snapshotEvery, snapshotEvery < 1 {
            throw .invalidOption(name: "--snapshot-every", value: "\(snapshotEvery)", reason: "must be at least 1")
        }
    }
}

/// Where a run stands after a step, for progress displays.
public struct TrainingProgress: Sendable {
    /// Steps completed.
    public var step: Int
    /// Total steps.
    public var totalSteps: Int
    /// The metrics of the last step.
    public var metrics: [String: Double]
    /// Steps per second since this process started training.
    public var stepsPerSecond: Double
    /// The validation metrics when this step ended with a validation, else empty.
    public var validation: [String: Double] = [:]

    public init(step: Int, totalSteps: Int, metrics: [String: Double], stepsPerSecond: Double, validation: [String: Double] = [:]) {
        self.step = step
        self.totalSteps = totalSteps
        self.metrics = metrics
        self.stepsPerSecond = stepsPerSecond
        self.validation = validation
    }

    /// The validation as one line (`step 250/3000: dev_accuracy 0.9120, dev_loss 0.4100`), nil without one.
    public var validationLine: String? {
        guard !validation.isEmpty else { return nil }
        let values = validation.keys.sorted().map { String(format: "%@ %.4f", $0, validation[$0]!) }
        return "step \(step)/\(totalSteps): " + values.joined(separator: ", ")
    }
}

/// How a run ended.
public enum TrainingOutcome: Sendable, Equatable {
    /// All steps were done.
    case finished(step: Int)
    /// A stop was requested; the checkpoint at `step` was saved.
    case stopped(step: Int, signal: Int32)
}

/// The loop both trainers share: runs steps, averages their metrics into log rows, validates, saves checkpoints
/// on schedule, at the end and when a stop is requested.
///
/// The loop owns no randomness and no model: the trainer's closures do the work. Validation and logging must not
/// consume the trainer's random state, so that resuming gives exactly the uninterrupted run.
public struct TrainingLoop {
    /// The intervals.
    public var schedule: TrainingSchedule
    /// Polled after every step.
    public let stopSignal: StopSignal

    /// A loop.
    public init(schedule: TrainingSchedule, stopSignal: StopSignal) {
        self.schedule = schedule
        self.stopSignal = stopSignal
    }

    /// Runs from `startStep` (steps already done) to the schedule's total.
    /// - Parameters:
    ///   - startStep: the step a checkpoint was resumed at (0 for a fresh run).
    ///   - step: does optimizer step `index` (0-based) and returns its metrics (e.g. `loss`).
    ///   - validate: returns validation metrics after `done` steps (called every `validateEvery` steps and at the end).
    ///   - log: receives a row: `step` plus averaged metrics, `steps_per_second` and any validation metrics.
    ///   - checkpoint: saves the state after `done` steps.
    ///   - progress: called after every step.
    /// - Returns: how the run ended.
    public func run(
        startStep: Int,
        step: (Int) throws -> [String: Double],
        validate: ((Int) throws -> [String: Double])? = nil,
        log: ([String: Double]) throws -> Void,
        checkpoint: (Int) throws -> Void,
        progress: (TrainingProgress) -> Void = { _ in }
    ) throws -> TrainingOutcome {
        let total = schedule.totalSteps
        var sums: [String: Double] = [:]
        var counted = 0
        var intervalStart = Date()
        let runStart = Date()
        var done = startStep
        var lastSaved = startStep
        while done < total {
            let metrics = try step(done)
            done += 1
            for (k, v) in metrics { sums[k, default: 0] += v }
            counted += 1
            let isLast = done == total
            var validation: [String: Double] = [:]
            if let validate, isLast || (schedule.validateEvery > 0 && done % schedule.validateEvery == 0) {
                validation = try validate(done)
            }
            if isLast || done % schedule.logEvery == 0 || !validation.isEmpty {
                var row = sums.mapValues { $0 / Double(max(counted, 1)) }
                let elapsed = Date().timeIntervalSince(intervalStart)
                row["steps_per_second"] = elapsed > 0 ? Double(counted) / elapsed : 0
                row["step"] = Double(done)
                for (k, v) in validation { row[k] = v }
                try log(row)
                sums = [:]
                counted = 0
                intervalStart = Date()
            }
            if isLast || done % schedule.checkpointEvery == 0 {
                try checkpoint(done)
                lastSaved = done
            }
            let elapsed = Date().timeIntervalSince(runStart)
            progress(TrainingProgress(
                step: done, totalSteps: total, metrics: metrics,
                stepsPerSecond: elapsed > 0 ? Double(done - startStep) / elapsed : 0, validation: validation))
            if let signal = stopSignal.signalNumber, !isLast {
                if lastSaved != done { try checkpoint(done) }
                return .stopped(step: done, signal: signal)
            }
        }
        return .finished(step: done)
    }
}
