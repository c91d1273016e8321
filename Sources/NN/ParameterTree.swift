import Foundation
import TensorCore

extension Layer {
    /// Copies checkpoint tensors into this model's parameters and buffers (in place; the graph identity of
    /// every parameter is kept, so optimizers holding them stay valid).
    ///
    /// Strict by default: every model key must be present, every checkpoint key must be used, and every shape
    /// must match; otherwise nothing is loaded and a ``CheckpointError`` lists every problem.
    /// With `strict: false`, missing and unexpected keys are tolerated, shape mismatches are not.
    /// - Parameters:
    ///   - tensors: checkpoint tensors by dotted key.
    ///   - strict: require an exact key match.
    /// - Throws: ``CheckpointError``.
    public func load(_ tensors: [String: Tensor], strict: Bool = true) throws(CheckpointError) {
        let model = stateDict()
        var problems: [CheckpointError] = []
        let missing = model.keys.filter { tensors[$0] == nil }.sorted()
        let unexpected = tensors.keys.filter { model[$0] == nil }.sorted()
        if strict && !missing.isEmpty { problems.append(.missingKeys(missing)) }
        if strict && !unexpected.isEmpty { problems.append(.unexpectedKeys(unexpected)) }
        for key in model.keys.sorted() {
            guard let source = tensors[key], let target = model[key] else { continue }
            if source.shape != target.shape {
                problems.append(.shapeMismatch(key: key, expected: target.shape, actual: source.shape))
            }
        }
        if problems.count == 1 { throw problems[0] }
        if problems.count > 1 { throw .multiple(problems) }
        for (key, target) in model {
            if let source = tensors[key] { target.assign(source.scalars) }
        }
    }

    /// Loads a `.safetensors` checkpoint (F32, F16 or BF16) strictly; see ``load(_:strict:)``.
    /// - Parameters:
    ///   - url: the file.
    ///   - strict: require an exact key match.
    /// - Returns: the file's metadata.
    /// - Throws: ``CheckpointError``.
    @discardableResult
    public func load(contentsOf url: URL, strict: Bool = true) throws(CheckpointError) -> [String: String] {
        let file: SafeTensors
        do { file = try SafeTensors.read(contentsOf: url) } catch { throw .unreadable(error) }
        try load(file.tensors, strict: strict)
        return file.metadata
    }

    /// Writes ``stateDict()`` to a `.safetensors` file.
    /// - Parameters:
    ///   - url: the destination.
    ///   - metadata: the `__metadata__` map (model kind, config JSON, format version).
    ///   - dtype: `.f32` or `.f16`.
    /// - Throws: ``TensorError`` when the file cannot be written.
    public func save(to url: URL, metadata: [String: String] = [:], dtype: SafeTensorsDType = .f32) throws(TensorError) {
        try SafeTensors.write(stateDict(), metadata: metadata, dtype: dtype, to: url)
    }
}
