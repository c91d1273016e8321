import Foundation
import NN
import TensorCore

/// A model folder's weights stored in another element type (`sepkws convert-model`): the other files copied, the
/// folder written atomically, and the rounding measured.
///
/// ```swift
/// let result = try ModelConversion.convert(model: "Models/mossformer2-8k", to: "/tmp/m16", dtype: .f16)
/// print(result.largestRelativeError)   // (key, max|a - b| / max|a|)
/// ```
public enum ModelConversion {
    /// What a conversion wrote and how much it rounded.
    public struct Result {
        /// The source weights.
        public var source: SafeTensors
        /// The written `model.safetensors` bytes.
        public var encoded: Data
        /// The largest rounding error relative to its tensor's largest weight, and that tensor.
        public var largestRelativeError: (key: String, value: Double)
    }

    /// Writes `out` (which must not exist) with `model`'s weights in `dtype` and a copy of its other files.
    /// - Throws: ``ModelDirectoryError`` for a folder without `config.json`, an existing `out`, unreadable weights,
    ///   weights beyond float16's range, or a failed write.
    public static func convert(model: String, to out: String, dtype target: SafeTensorsDType) throws -> Result {
        let folder = ModelDirectory(model)
        _ = try folder.readConfiguration()
        guard !FileManager.default.fileExists(atPath: out) else { throw ModelDirectoryError.alreadyExists(path: out) }
        let source = try folder.readWeights(format: nil)
        if target == .f16, let (key, value) = largestBeyondHalfRange(source.tensors) {
            throw ModelDirectoryError.unconvertible(
                path: folder.weightsPath, reason: "'\(key)' holds \(value), beyond float16's range (65504); use --dtype bf16 or f32")
        }
        let encoded = source.encoded(dtype: target)
        let roundTrip: SafeTensors
        do {
            roundTrip = try SafeTensors.decode(encoded)
        } catch {
            throw ModelDirectoryError.unconvertible(path: out, reason: "the converted weights do not read back: \(error)")
        }
        let error = largestRelativeError(source.tensors, roundTrip.tensors)

        try ModelDirectory(out).writeAtomically { converted in
            for name in try FileManager.default.contentsOfDirectory(atPath: model).sorted() where name != ModelDirectory.weightsFile {
                let path = (model as NSString).appendingPathComponent(name)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                try FileManager.default.copyItem(atPath: path, toPath: (converted.path as NSString).appendingPathComponent(name))
            }
            try encoded.write(to: URL(fileURLWithPath: converted.weightsPath))
        }
        return Result(source: source, encoded: encoded, largestRelativeError: error)
    }

    /// The tensor and value of the largest finite weight whose magnitude float16 cannot hold, if any.
    /// - Parameter tensors: weights by name.
    public static func largestBeyondHalfRange(_ tensors: [String: Tensor]) -> (String, Float)? {
        var worst: (String, Float)?
        for key in tensors.keys.sorted() {
            for v in tensors[key]!.scalars where v.isFinite && abs(v) > 65_504 && abs(v) > abs(worst?.1 ?? 0) {
                worst = (key, v)
            }
        }
        return worst
    }

    /// The largest `max|a - b| / max|a|` over tensors present in both maps (same shapes), and the tensor it occurs in.
    /// - Parameters:
    ///   - original: weights by name.
    ///   - converted: the same weights after a round trip through another element type.
    public static func largestRelativeError(_ original: [String: Tensor], _ converted: [String: Tensor]) -> (key: String, value: Double) {
        var worst = (key: "-", value: 0.0)
        for key in original.keys.sorted() {
            let a = original[key]!.scalars, b = converted[key]!.scalars
            let scale = a.reduce(Float(0)) { max($0, abs($1)) }
            guard scale > 0 else { continue }
            var largest: Float = 0
            for (x, y) in zip(a, b) { largest = max(largest, abs(x - y)) }
            let relative = Double(largest / scale)
            if relative > worst.value { worst = (key, relative) }
        }
        return worst
    }
}
