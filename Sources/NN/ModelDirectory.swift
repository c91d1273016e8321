import AudioIO
import Foundation
import TensorCore

/// What a model folder's weights say they are: `format` and `format_version` in the safetensors metadata.
public struct ModelFormat: Sendable, Equatable {
    /// The `format` entry (`sepkws-kws`, `sepkws-mossformer2`).
    public var name: String
    /// The `format_version` this build writes and reads.
    public var version: Int
    /// Whether weights without this format are refused. False for a kind whose reference checkpoints, converted to
    /// safetensors elsewhere, carry no SepKWS format; weights that name another SepKWS format are refused anyway.
    public var isRequired: Bool
    /// `format` strings written before `format_version` existed, read as ``version``.
    public var legacyNames: [String]

    public init(name: String, version: Int, isRequired: Bool = true, legacyNames: [String] = []) {
        self.name = name
        self.version = version
        self.isRequired = isRequired
        self.legacyNames = legacyNames
    }

    /// The metadata entries that name this format.
    public var metadata: [String: String] { ["format": name, "format_version": String(version)] }

    /// Checks a weights file's metadata against this format.
    /// - Throws: ``ModelDirectoryError/wrongFormat(path:found:expected:)`` or
    ///   ``ModelDirectoryError/unsupportedVersion(path:found:supported:)``.
    public func check(_ metadata: [String: String], path: String) throws(ModelDirectoryError) {
        let found = metadata["format"]
        if let found, legacyNames.contains(found) { return }
        guard found == name else {
            let foreign = found.map { !$0.hasPrefix("sepkws-") } ?? true
            if !isRequired && foreign { return }
            throw .wrongFormat(path: path, found: found ?? "none", expected: name)
        }
        guard metadata["format_version"] == String(version) else {
            throw .unsupportedVersion(path: path, found: metadata["format_version"] ?? "none", supported: version)
        }
    }
}

/// A model folder, the one way every model kind (separator, keyword spotter, compressed spotter) is read and
/// written: `config.json` (the model's configuration) and `model.safetensors` (the weights, whose metadata holds
/// the ``ModelFormat`` and a copy of the configuration). Reading checks the format; loading is strict (every key
/// and shape, ``Layer/load(_:strict:)``); writing fills a temporary folder and renames it into place, so a folder
/// is either the old one or the new one, never half of each. Every failure is a ``ModelDirectoryError`` naming the
/// file.
///
/// ```swift
/// let folder = ModelDirectory("Models/kws-cab-12")
/// let configuration = try folder.readConfiguration()            // config.json's bytes
/// let weights = try folder.readWeights(format: kwsFormat)        // format and version checked
/// try ModelDirectory.load(weights.tensors, into: model, from: folder.weightsPath)   // strict
/// try ModelDirectory("out").write(configuration: json, weights: model.stateDict(), format: kwsFormat)
/// ```
public struct ModelDirectory: Sendable, Equatable, CustomStringConvertible {
    /// The configuration file of a model folder.
    public static let configurationFile = "config.json"
    /// The weights file of a model folder.
    public static let weightsFile = "model.safetensors"

    /// The folder.
    public let path: String

    public init(_ path: String) { self.path = path }

    public var description: String { path }

    /// `PATH/config.json`.
    public var configurationPath: String { (path as NSString).appendingPathComponent(Self.configurationFile) }
    /// `PATH/model.safetensors`.
    public var weightsPath: String { (path as NSString).appendingPathComponent(Self.weightsFile) }

    /// Whether the folder holds a `config.json` (how the model locator recognises a model folder).
    public var hasConfiguration: Bool { FileManager.default.fileExists(atPath: configurationPath) }

    /// The bytes of `config.json`.
    /// - Throws: ``ModelDirectoryError/noSuchDirectory(path:)`` or ``ModelDirectoryError/missingFile(path:)``.
    public func readConfiguration() throws(ModelDirectoryError) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .noSuchDirectory(path: path)
        }
        guard let data = FileManager.default.contents(atPath: configurationPath) else { throw .missingFile(path: configurationPath) }
        return data
    }

    /// `model.safetensors`, its format checked (nil: any format).
    /// - Throws: ``ModelDirectoryError`` (missing, unreadable, wrong format or version).
    public func readWeights(format: ModelFormat?) throws(ModelDirectoryError) -> SafeTensors {
        try Self.readWeights(file: weightsPath, format: format)
    }

    /// A weights file on its own (a checkpoint that starts a training run), its format checked (nil: any format).
    /// - Throws: ``ModelDirectoryError`` (missing, unreadable, wrong format or version).
    public static func readWeights(file path: String, format: ModelFormat?) throws(ModelDirectoryError) -> SafeTensors {
        guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(path: path) }
        let file: SafeTensors
        do { file = try SafeTensors.read(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadableWeights(path: path, reason: error.description)
        }
        try format?.check(file.metadata, path: path)
        return file
    }

    /// Loads `tensors` into `model` strictly: every model key present, every file key used, every shape equal;
    /// otherwise nothing is loaded.
    /// - Parameter path: the file the tensors came from, named in the error.
    /// - Throws: ``ModelDirectoryError/incompatibleWeights(path:reason:)`` listing every problem.
    public static func load(_ tensors: [String: Tensor], into model: some Layer, from path: String) throws(ModelDirectoryError) {
        do { try model.load(tensors) } catch { throw .incompatibleWeights(path: path, reason: error.description) }
    }

    /// Writes the folder: `config.json` (`configuration` and a newline) and `model.safetensors` (`weights` in
    /// `dtype`; metadata: `metadata`, the format, and the configuration under `config`), atomically.
    /// - Throws: ``ModelDirectoryError/writeFailed(path:reason:)``.
    public func write(
        configuration: Data, weights: [String: Tensor], format: ModelFormat, metadata: [String: String] = [:],
        dtype: SafeTensorsDType = .f32
    ) throws(ModelDirectoryError) {
        var meta = metadata.merging(format.metadata) { $1 }
        meta["config"] = String(decoding: configuration, as: UTF8.self)
        let encoded = SafeTensors(tensors: weights, metadata: meta).encoded(dtype: dtype)
        try writeAtomically { folder in
            try (configuration + Data("\n".utf8)).write(to: URL(fileURLWithPath: folder.configurationPath))
            try encoded.write(to: URL(fileURLWithPath: folder.weightsPath))
        }
    }

    /// Replaces `config.json` alone (the weights untouched), through a temporary file and a rename.
    /// - Throws: ``ModelDirectoryError``: the folder or its configuration missing, or the write failing.
    public func replaceConfiguration(_ configuration: Data) throws(ModelDirectoryError) {
        _ = try readConfiguration()
        do { try (configuration + Data("\n".utf8)).write(to: URL(fileURLWithPath: configurationPath), options: .atomic) } catch {
            throw .writeFailed(path: configurationPath, reason: FileSystemMessage.reason(error))
        }
    }

    /// Fills a temporary folder beside this one (``AtomicDirectory``) and renames it into place, replacing an older
    /// folder only when `fill` succeeded. Files of the older folder that `fill` does not write (a model card
    /// `README.md`, a `training/` folder) are kept.
    /// - Parameter fill: writes the files into the folder it is given.
    /// - Throws: ``ModelDirectoryError/writeFailed(path:reason:)``.
    public func writeAtomically(_ fill: (ModelDirectory) throws -> Void) throws(ModelDirectoryError) {
        do {
            try AtomicDirectory.write(path, keepingOtherFiles: true) { try fill(ModelDirectory($0)) }
        } catch AudioIOError.outputFailed(_, let reason) {
            throw .writeFailed(path: path, reason: reason)
        } catch {
            throw .writeFailed(path: path, reason: FileSystemMessage.isFileError(error) ? FileSystemMessage.reason(error) : "\(error)")
        }
    }
}
