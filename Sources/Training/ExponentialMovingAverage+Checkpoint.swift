import NN
import TensorCore

extension ExponentialMovingAverage {
    /// The checkpoint key prefix of a weight average's tensors (inside the checkpoint's `auxiliary.` tensors).
    static let checkpointPrefix = "average."

    /// The averages as a trainer's auxiliary checkpoint tensors (`average.<parameter>`, the parameters' shapes).
    func checkpointTensors() -> [String: Tensor] {
        stateTensors().reduce(into: [:]) { $0[Self.checkpointPrefix + $1.key] = $1.value }
    }

    /// The weight average's tensors among a checkpoint's auxiliary ones, keyed by parameter name (empty when none).
    static func saved(in auxiliary: [String: Tensor]) -> [String: Tensor] {
        var averages: [String: Tensor] = [:]
        for (key, t) in auxiliary where key.hasPrefix(checkpointPrefix) { averages[String(key.dropFirst(checkpointPrefix.count))] = t }
        return averages
    }

    /// An average of `parameters` with `decay`, holding the averages a run's checkpoint saved when `resuming` (a run
    /// that turned the average on at a resume has none yet: it starts at the current weights).
    /// - Throws: ``TrainingError/checkpointMismatch(path:_:)`` when the saved averages do not fit the parameters.
    static func restored(parameters: [(name: String, tensor: Tensor)], decay: Float, resuming runDirectory: String?) throws -> ExponentialMovingAverage {
        let average = ExponentialMovingAverage(parameters: parameters, decay: decay)
        guard let runDirectory else { return average }
        let saved = Self.saved(in: try TrainingCheckpoint.auxiliaryTensors(runDirectory: runDirectory))
        if !saved.isEmpty {
            do { try average.loadState(saved) } catch { throw TrainingError.checkpointMismatch(path: TrainingCheckpoint.path(in: runDirectory), error) }
        }
        return average
    }
}
