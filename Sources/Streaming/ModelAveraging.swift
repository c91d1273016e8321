import Foundation
import NN
import TensorCore

/// The element-wise mean of the weights of models of one architecture (`sepkws average-models`): a "model soup" of
/// fine-tunes that started from the same weights, or the average of a run's checkpoints.
///
/// Models fine-tuned from one starting point with other seeds, data or schedules may lie in one basin of the loss,
/// and then their average can generalise better than any of them (Wortsman et al. 2022, "Model soups"); for the
/// 12-keyword spotter's fine-tunes it did not reliably (session 36, `Models/kws-cab-12`). Models trained from
/// different starting points do not average into anything useful. Nothing here can tell, so score the result.
///
/// ```swift
/// let soup = try ModelAveraging.average(models: ["run1/model", "run2/model"], to: "soup", dtype: .f32)
/// print(soup.largestDistance)   // (model, |w_i - mean| / |mean|) of the member farthest from the mean
/// ```
public enum ModelAveraging {
    /// Configuration keys that describe a model's use rather than its weights: they are dropped from the average's
    /// `config.json` (per-keyword thresholds are calibrated for one set of weights and must be calibrated again).
    public static let perModelConfigurationKeys: Set<String> = ["thresholds"]

    /// Safetensors metadata that describes one training run (its dev score): dropped from the average's file.
    public static let perModelMetadataKeys: Set<String> = ["dev_accuracy"]

    /// What an average wrote.
    public struct Result {
        /// The averaged weights by name (float32, before rounding to the written element type).
        public var weights: [String: Tensor]
        /// Whether a member's configuration held per-keyword thresholds, which the average does not keep.
        public var droppedThresholds: Bool
        /// The member farthest from the mean: its folder and `‖w_i − w̄‖ / ‖w̄‖` over all its weights.
        public var largestDistance: (model: String, value: Double)
    }

    /// Writes `out` (which must not exist) with the mean of `models`' weights in `dtype`.
    /// - Parameters:
    ///   - models: two or more model folders (`config.json` + `model.safetensors`) of one architecture: equal
    ///     configurations apart from ``perModelConfigurationKeys``, the same tensor names and shapes.
    ///   - out: the folder to create.
    ///   - dtype: element type of the written weights.
    /// - Throws: ``ModelDirectoryError``: fewer than two models, an unreadable folder, configurations or weights that
    ///   differ (naming the folder and what differs), a non-finite weight (refused on reading), a mean beyond float16's range when `dtype`
    ///   is float16, an existing `out`, or a failed write.
    @discardableResult
    public static func average(models: [String], to out: String, dtype: SafeTensorsDType) throws -> Result {
        guard let first = models.first, models.count >= 2 else {
            throw ModelDirectoryError.incompatibleWeights(path: models.first ?? out, reason: "averaging needs two or more models")
        }
        guard !FileManager.default.fileExists(atPath: out) else { throw ModelDirectoryError.alreadyExists(path: out) }
        let reference = try configuration(of: first)
        var sum: [String: [Double]] = [:]
        var shapes: [String: Shape] = [:]
        var members: [[String: Tensor]] = []
        var metadata: [String: String] = [:]
        var droppedThresholds = false
        for (index, model) in models.enumerated() {
            let folder = ModelDirectory(model)
            let config = try configuration(of: model)
            droppedThresholds = droppedThresholds || config.dropped
            let differing = Set(config.kept.keys).union(reference.kept.keys)
                .filter { canonical(config.kept[$0]) != canonical(reference.kept[$0]) }.sorted()
            if !differing.isEmpty {
                throw ModelDirectoryError.incompatibleWeights(
                    path: folder.configurationPath,
                    reason: "configuration differs from \(ModelDirectory(first).configurationPath) in \(differing.joined(separator: ", "))")
            }
            let weights = try folder.readWeights(format: nil)
            if index == 0 {
                metadata = weights.metadata
                shapes = weights.tensors.mapValues(\.shape)
                sum = weights.tensors.mapValues { [Double](repeating: 0, count: $0.count) }
            }
            let problems = mismatches(weights.tensors, expected: shapes)
            guard problems.isEmpty else {
                throw ModelDirectoryError.incompatibleWeights(
                    path: folder.weightsPath,
                    reason: "not the weights of \(ModelDirectory(first).weightsPath): \(problems.joined(separator: "; "))")
            }
            for (key, tensor) in weights.tensors {
                let scalars = tensor.scalars
                sum[key]!.withUnsafeMutableBufferPointer { total in
                    for i in scalars.indices { total[i] += Double(scalars[i]) }
                }
            }
            members.append(weights.tensors)
        }
        let count = Double(models.count)
        let mean = sum.mapValues { $0.map { Float($0 / count) } }
        var averaged: [String: Tensor] = [:]
        for (key, values) in mean { averaged[key] = Tensor(values, shape: shapes[key]!) }

        let farthest = zip(models, members)
            .map { model, weights in (model: model, value: relativeDistance(weights, mean)) }
            .max { $0.value < $1.value }!

        if dtype == .f16, let (key, value) = ModelConversion.largestBeyondHalfRange(averaged) {
            throw ModelDirectoryError.unconvertible(path: out, reason: "'\(key)' averages to \(value), beyond float16's range (65504); use --dtype bf16 or f32")
        }
        let configuration = try encodedConfiguration(reference.kept, path: ModelDirectory(first).configurationPath)
        for key in perModelMetadataKeys { metadata[key] = nil }
        if metadata["config"] != nil { metadata["config"] = String(decoding: configuration, as: UTF8.self) }
        metadata["averaged_models"] = String(models.count)
        let encoded = SafeTensors(tensors: averaged, metadata: metadata).encoded(dtype: dtype)
        try ModelDirectory(out).writeAtomically { folder in
            try (configuration + Data("\n".utf8)).write(to: URL(fileURLWithPath: folder.configurationPath))
            try encoded.write(to: URL(fileURLWithPath: folder.weightsPath))
        }
        return Result(weights: averaged, droppedThresholds: droppedThresholds, largestDistance: farthest)
    }

    /// A model's configuration as a JSON object, without ``perModelConfigurationKeys``, and whether it held any.
    private static func configuration(of model: String) throws -> (kept: [String: Any], dropped: Bool) {
        let folder = ModelDirectory(model)
        let data = try folder.readConfiguration()
        guard var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ModelDirectoryError.incompatibleWeights(path: folder.configurationPath, reason: "not a JSON object")
        }
        let dropped = perModelConfigurationKeys.contains { object[$0] != nil }
        for key in perModelConfigurationKeys { object[key] = nil }
        return (object, dropped)
    }

    /// `object` as pretty-printed JSON with sorted keys, the layout of every SepKWS `config.json`.
    private static func encodedConfiguration(_ object: [String: Any], path: String) throws -> Data {
        do { return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) } catch {
            throw ModelDirectoryError.writeFailed(path: path, reason: "configuration does not encode: \(error)")
        }
    }

    /// A JSON value as canonical bytes (sorted keys), to compare two configurations' values; nil for a missing one.
    private static func canonical(_ value: Any?) -> Data? {
        guard let value else { return nil }
        return try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys])
    }

    /// How `tensors` differ from the names and shapes `expected`: missing, extra and reshaped tensors.
    private static func mismatches(_ tensors: [String: Tensor], expected: [String: Shape]) -> [String] {
        var problems: [String] = []
        for key in expected.keys.sorted() {
            guard let tensor = tensors[key] else { problems.append("missing \(key)"); continue }
            if tensor.shape != expected[key]! { problems.append("\(key) is \(tensor.shape), expected \(expected[key]!)") }
        }
        for key in tensors.keys.sorted() where expected[key] == nil { problems.append("extra \(key)") }
        return problems
    }

    /// `‖a − b‖ / ‖b‖` over all tensors of `b` (0 when `b` is all zeros).
    private static func relativeDistance(_ a: [String: Tensor], _ b: [String: [Float]]) -> Double {
        var difference = 0.0, norm = 0.0
        for (key, values) in b {
            for (x, y) in zip(a[key]!.scalars, values) {
                difference += Double(x - y) * Double(x - y)
                norm += Double(y) * Double(y)
            }
        }
        return norm > 0 ? (difference / norm).squareRoot() : 0
    }
}
