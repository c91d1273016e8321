import Foundation
import KeywordSpotting
import NN
import TensorCore

/// The encoder weights and configuration to start fine-tuning from: a pretraining run folder (its checkpoint) or
/// a model folder (`config.json` + `model.safetensors`).
public struct InitialEncoder {
    /// The encoder's configuration (sizes and front end).
    public var configuration: KWSConfiguration
    /// The weights, under the classifier's (or pretraining model's) parameter names.
    public var tensors: [String: Tensor]

    /// Reads `path`: a run folder's checkpoint, else a model folder.
    /// - Throws: ``TrainingError`` or `KeywordSpottingError` if neither loads.
    public init(path: String) throws {
        if TrainingCheckpoint.exists(in: path) {
            struct ModelOnly: Decodable { var model: KWSConfiguration }
            let state = try TrainingCheckpoint.readState(runDirectory: path)
            configuration = try JSONDecoder().decode(ModelOnly.self, from: Data(state.configuration.utf8)).model
            tensors = try TrainingCheckpoint.modelTensors(runDirectory: path)
        } else {
            let model = try KeywordSpotter.loadModel(directory: path)
            configuration = model.configuration
            tensors = model.stateDict()
        }
    }
}

/// One fine-tuning step: cross-entropy (with label smoothing) of a batch, backward, clipping of the trained
/// (not frozen) parameters' gradients at norm 5, an AdamW update at `learningRate`. Returns `loss`, `accuracy`, `learning_rate`, `grad_norm`.
public func fineTuningStep(
    network: KeywordClassifier, optimizer: Adam, features: Tensor, targets: [Int], labelSmoothing: Float, learningRate: Float, dropoutSeed: UInt64
) -> [String: Double] {
    network.setTraining(true)
    let (logits, kl) = network.trainingOutputs(features, dropoutSeed: dropoutSeed)   // kl: a variational bottleneck's
    var loss = Losses.crossEntropy(logits: logits, targets: targets, labelSmoothing: labelSmoothing)
    if let kl, let beta = network.configuration.vibBeta { loss = loss + kl * beta }
    loss.backward()
    let trained = zip(optimizer.parameters, optimizer.learningRateScales).filter { $0.1 > 0 }.map(\.0)
    let norm = clipGradNorm(trained, maxNorm: 5)
    optimizer.learningRate = learningRate
    optimizer.step()
    optimizer.zeroGrad()
    let correct = zip(logits.detached().argmax(axis: -1), targets).filter { $0 == $1 }.count
    return ["loss": Double(loss.item), "accuracy": Double(correct) / Double(targets.count), "learning_rate": Double(learningRate),
            "grad_norm": Double(norm)]
}
