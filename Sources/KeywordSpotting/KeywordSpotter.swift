import AudioIO
import Foundation
import NN
import TensorCore

/// A loaded keyword-spotting model for inference: a model folder (`config.json` + `model.safetensors`), the
/// front end, and classification of 1 s windows.
///
/// Loading is strict: the configuration must decode and validate, the weights file must carry this format's
/// name and version, and every tensor must match the configuration's keys and shapes.
///
/// ```swift
/// let spotter = try KeywordSpotter(directory: "Models/kws-cab-small-12")
/// let p = try spotter.classify(clip)         // clip: [16000] at 16 kHz
/// print(p.label, p.score)
/// ```
public final class KeywordSpotter {
    /// The keyword spotter's ``ModelFormat`` (`sepkws-kws`, version 1), required of its weights.
    public static let format = ModelFormat(name: "sepkws-kws", version: 1)

    /// The configuration.
    public let configuration: KWSConfiguration
    /// The model (in evaluation mode).
    public let model: KeywordClassifier
    private let frontEnd: LogMelFrontEnd

    /// Wraps a model.
    /// - Throws: ``KeywordSpottingError`` if the front end is impossible.
    public init(model: KeywordClassifier) throws(KeywordSpottingError) {
        self.configuration = model.configuration
        self.model = model
        self.frontEnd = try LogMelFrontEnd(model.configuration.frontEnd)
        model.setTraining(false)
    }

    /// Loads a model folder.
    /// - Parameter directory: holds `config.json` and `model.safetensors`.
    /// - Throws: ``KeywordSpottingError`` naming the file and the problem.
    public convenience init(directory: String) throws(KeywordSpottingError) {
        let model = try Self.loadModel(directory: directory)
        try self.init(model: model)
    }

    /// Reads a model folder's configuration.
    /// - Throws: ``KeywordSpottingError``.
    public static func loadConfiguration(directory: String) throws(KeywordSpottingError) -> KWSConfiguration {
        let folder = ModelDirectory(directory)
        let data: Data
        do { data = try folder.readConfiguration() } catch { throw .modelDirectory(error) }
        return try KWSConfiguration.decode(data, path: folder.configurationPath)
    }

    /// Reads a model folder (``ModelDirectory``) into a classifier, strictly: the weights must carry this
    /// ``format`` and fit the configuration key for key.
    /// - Throws: ``KeywordSpottingError``.
    public static func loadModel(directory: String) throws(KeywordSpottingError) -> KeywordClassifier {
        let configuration = try loadConfiguration(directory: directory)
        let folder = ModelDirectory(directory)
        do {
            let file = try folder.readWeights(format: format)
            try checkSizes(of: file, against: configuration, weightsPath: folder.weightsPath)
            let model = KeywordClassifier(configuration: configuration, seed: 0)
            try ModelDirectory.load(file.tensors, into: model, from: folder.weightsPath)
            return model
        } catch {
            throw .modelDirectory(error)
        }
    }

    /// Compares the sizes that dominate a model's memory (Transformer layers, convolution channels) with the
    /// weights file's before anything is built, so a wrong `config.json` fails at once rather than after building
    /// a model of its sizes; the strict load then checks every key and shape.
    /// - Throws: ``ModelDirectoryError/incompatibleWeights(path:reason:)``.
    static func checkSizes(of file: SafeTensors, against configuration: KWSConfiguration, weightsPath: String) throws(ModelDirectoryError) {
        let prefix = "encoder.transformer."
        let layerIndices = Set(file.tensors.keys.compactMap { key -> Int? in
            guard key.hasPrefix(prefix) else { return nil }
            return Int(key.dropFirst(prefix.count).prefix { $0 != "." })
        })
        let fileLayers = (layerIndices.max() ?? -1) + 1
        guard fileLayers == configuration.layers else {
            throw .incompatibleWeights(path: weightsPath, reason: "it holds \(fileLayers) Transformer layers, config.json asks for \(configuration.layers)")
        }
        if let conv = file.tensors["encoder.conv1.conv.weight"], let channels = conv.shape.dims.first, channels != configuration.convChannels {
            throw .incompatibleWeights(
                path: weightsPath, reason: "it holds \(channels) convolution channels, config.json asks for \(configuration.convChannels)")
        }
    }

    /// Writes a model folder (``ModelDirectory``): `config.json` and `model.safetensors` (metadata: format,
    /// version, config JSON, `metadata`), atomically.
    /// - Throws: ``KeywordSpottingError/modelDirectory(_:)``.
    public static func save(_ model: KeywordClassifier, to directory: String, metadata: [String: String] = [:]) throws(KeywordSpottingError) {
        do {
            try ModelDirectory(directory).write(
                configuration: model.configuration.jsonData(), weights: model.stateDict(), format: format, metadata: metadata)
        } catch {
            throw .modelDirectory(error)
        }
    }

    /// The 1 s window to classify from a recording: the whole signal zero-padded at the end when shorter, else the
    /// window (on a 10 ms grid) with the most energy.
    /// - Parameters:
    ///   - samples: mono audio at the model rate.
    ///   - length: the window length.
    ///   - hop: the grid step.
    public static func loudestWindow(of samples: [Float], length: Int, hop: Int = 160) -> [Float] {
        guard samples.count > length else { return LogMelFrontEnd.fitted(samples, length: length) }
        var prefix = [Double](repeating: 0, count: samples.count + 1)
        for i in samples.indices { prefix[i + 1] = prefix[i] + Double(samples[i]) * Double(samples[i]) }
        var best = 0, bestEnergy = -1.0
        var start = 0
        while start + length <= samples.count {
            let energy = prefix[start + length] - prefix[start]
            if energy > bestEnergy { bestEnergy = energy; best = start }
            start += hop
        }
        if (samples.count - length) % hop != 0 {
            let last = samples.count - length
            if prefix[last + length] - prefix[last] > bestEnergy { best = last }
        }
        return Array(samples[best..<(best + length)])
    }

    /// Class probabilities of windows (each fitted to `clip_samples`): `[B][classes]`.
    public func probabilities(_ clips: [[Float]]) -> [[Float]] {
        guard !clips.isEmpty else { return [] }
        return probabilities(features: frontEnd.batch(clips))
    }

    /// Class probabilities of windows given as log-mel features `[B, frames, mels]` (the front end's output):
    /// `[B][classes]`. The streaming spotter computes its features incrementally and classifies them here.
    public func probabilities(features: Tensor) -> [[Float]] {
        precondition(features.shape.rank == 3 && features.shape.dims[1] == configuration.frontEnd.frameCount
            && features.shape.dims[2] == configuration.frontEnd.melCount, "features must be [B, frames, mels]")
        let probabilities = Autograd.withInferenceMode { model(features).softmax(axis: -1) }.scalars
        let c = configuration.classCount
        return (0..<features.shape.dims[0]).map { Array(probabilities[($0 * c)..<(($0 + 1) * c)]) }
    }

    /// The most probable label of each window.
    public func classify(_ clips: [[Float]]) -> [KeywordPrediction] {
        probabilities(clips).map { p in
            let index = p.indices.max { p[$0] < p[$1] }!
            return KeywordPrediction(label: configuration.labels[index], index: index, score: p[index], probabilities: p)
        }
    }

    /// The most probable label of one window.
    public func classify(_ clip: [Float]) -> KeywordPrediction { classify([clip])[0] }
}
