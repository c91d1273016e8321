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
    /// Loads a model directory: `config.json` (reference names) and `model.safetensors` (reference keys, F32/F16/BF16),
    /// strictly.
    /// - Throws: ``SeparationError`` naming the file and the problem (missing file, unknown key, impossible size,
    ///   missing/unexpected/mis-shaped weights, malformed safetensors).
    public convenience init(directory: String) throws(SeparationError) {
        let base = directory as NSString
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .missingFile(path: directory)
        }
        let configuration = try MossFormer2Configuration.load(contentsOf: base.appendingPathComponent("config.json"))
        try self.init(configuration: configuration)
        try loadWeights(path: base.appendingPathComponent("model.safetensors"))
    }

    /// Replaces every weight with a checkpoint's (reference keys, F32/F16/BF16), strictly: the file must hold
    /// exactly this configuration's keys and shapes. The sample rate is not in the weights, so an 8 kHz model's
    /// weights start a 16 kHz one.
    /// - Parameter path: a `model.safetensors` file.
    /// - Throws: ``SeparationError`` naming the file (missing, malformed, or missing/unexpected/mis-shaped weights);
    ///   nothing is changed then.
    public func loadWeights(path: String) throws(SeparationError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(path: path) }
        let file: SafeTensors
        do { file = try SafeTensors.read(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .incompatibleWeights(path: path, reason: "\(error)")
        }
        do { try load(MossFormer2WeightMap.normalized(file.tensors)) } catch {
            throw .incompatibleWeights(path: path, reason: "\(error)")
        }
    }

    /// Writes a model directory (`config.json`, `model.safetensors`; the model card is the caller's).
    /// - Parameter dtype: `.f16` halves the size.
    public func write(directory: String, dtype: SafeTensorsDType = .f32, metadata: [String: String] = [:]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let config = try encoder.encode(configuration)
        try config.write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("config.json")), options: .atomic)
        var meta = metadata
        meta["config"] = String(decoding: config, as: UTF8.self)
        meta["format"] = "sepkws-mossformer2/1"
        try save(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("model.safetensors")), metadata: meta, dtype: dtype)
    }
}
