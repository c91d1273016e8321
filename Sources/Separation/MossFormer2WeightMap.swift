import Foundation
import NN
import TensorCore

/// How checkpoint files map onto ``MossFormer2Separator``'s keys: the reference's state-dict keys as they are, with
/// the wrappers that published checkpoints add removed (`module.` from DataParallel training). Nothing else is
/// renamed or tolerated: loading stays strict.
enum MossFormer2WeightMap {
    /// Prefixes removed from checkpoint keys.
    static let strippedPrefixes = ["module."]

    /// `tensors` with wrapper prefixes removed.
    static func normalized(_ tensors: [String: Tensor]) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (key, tensor) in tensors {
            var name = key
            for prefix in strippedPrefixes where name.hasPrefix(prefix) { name.removeFirst(prefix.count) }
            result[name] = tensor
        }
        return result
    }
}

extension MossFormer2Separator {
    /// The separator's ``ModelFormat``: `sepkws-mossformer2`, version 1. Not required, so a reference checkpoint
    /// converted to safetensors elsewhere loads; folders written before `format_version` say `sepkws-mossformer2/1`.
    public static let format = ModelFormat(name: "sepkws-mossformer2", version: 1, isRequired: false, legacyNames: ["sepkws-mossformer2/1"])

    /// Loads a model folder (``ModelDirectory``): `config.json` (reference names) and `model.safetensors`
    /// (reference keys, F32/F16/BF16), strictly.
    /// - Throws: ``SeparationError`` naming the file and the problem (missing file, unknown key, impossible size,
    ///   missing/unexpected/mis-shaped weights, malformed safetensors, another model kind's weights).
    public convenience init(directory: String) throws(SeparationError) {
        let folder = ModelDirectory(directory)
        let data: Data
        do { data = try folder.readConfiguration() } catch { throw .modelDirectory(error) }
        try self.init(configuration: try MossFormer2Configuration.load(data: data, path: folder.configurationPath))
        try loadWeights(path: folder.weightsPath)
    }

    /// Replaces every weight with a checkpoint's (reference keys, F32/F16/BF16), strictly: the file must hold
    /// exactly this configuration's keys and shapes. The sample rate is not in the weights, so an 8 kHz model's
    /// weights start a 16 kHz one.
    /// - Parameter path: a `model.safetensors` file.
    /// - Throws: ``SeparationError`` naming the file (missing, malformed, or missing/unexpected/mis-shaped weights);
    ///   nothing is changed then.
    public func loadWeights(path: String) throws(SeparationError) {
        do {
            let file = try ModelDirectory.readWeights(file: path, format: Self.format)
            try ModelDirectory.load(MossFormer2WeightMap.normalized(file.tensors), into: self, from: path)
        } catch {
            throw .modelDirectory(error)
        }
    }

    /// Writes a model folder (``ModelDirectory``: `config.json`, `model.safetensors`, atomically; the model card is
    /// the caller's).
    /// - Parameters:
    ///   - dtype: `.f16` halves the size.
    ///   - metadata: further entries of the weights' metadata.
    /// - Throws: ``SeparationError/modelDirectory(_:)``.
    public func write(directory: String, dtype: SafeTensorsDType = .f32, metadata: [String: String] = [:]) throws(SeparationError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let config: Data
        do { config = try encoder.encode(configuration) } catch {
            throw .unreadableConfiguration(path: directory, reason: "cannot encode: \(error)")
        }
        do {
            try ModelDirectory(directory).write(configuration: config, weights: stateDict(), format: Self.format, metadata: metadata, dtype: dtype)
        } catch {
            throw .modelDirectory(error)
        }
    }
}
