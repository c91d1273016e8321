/// Errors of the information-bottleneck tools (`info-plane`, `compress`), each naming the file or setting at fault.
public enum InformationBottleneckError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A run folder's `settings.json` is missing or holds no model configuration.
    case runSettings(path: String, reason: String)
    /// A layer name the model has no tap for.
    case unknownLayers([String], available: [String])
    /// A setting is out of range.
    case invalidSetting(name: String, value: String, reason: String)
    /// The data split holds too few clips.
    case tooFewClips(path: String, count: Int, required: Int)
    /// A snapshot's tensors do not fit the run's model.
    case snapshotMismatch(path: String, reason: String)
    /// Even the smallest model the compression can make (every layer and all but one bottleneck unit pruned) is over budget.
    case budgetUnreachable(budget: Double, floor: Double)

    public var description: String {
        switch self {
        case .runSettings(let path, let reason): "\(path): \(reason)"
        case .unknownLayers(let names, let available):
            "unknown layer\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")); this model has \(available.joined(separator: ", "))"
        case .invalidSetting(let name, let value, let reason): "invalid \(name) \(value): \(reason)"
        case .tooFewClips(let path, let count, let required):
            "\(path): \(count) clips in its dev and test splits, at least \(required) needed"
        case .snapshotMismatch(let path, let reason): "\(path): does not fit the run's model: \(reason)"
        case .budgetUnreachable(let budget, let floor):
            "--budget \(budget) is out of reach: the smallest model the pruning can make (the units it does not prune) takes \(String(format: "%.3f", floor)) of the parent's multiply-adds"
        }
    }
}
