import AudioDatasets
import Foundation
import InformationTheory
import KeywordSpotting
import NN
import TensorCore
import Training

/// The information plane of a keyword-spotting training run (Shwartz-Ziv & Tishby 2017; Saxe et al. 2018): for each
/// weight snapshot (`train-kws --snapshot-every N`), the activations `T` of chosen layers on `N` clips of a Speech
/// Commands folder's dev split, and the estimates of `I(X;T)` (how much of the input the layer keeps) and `I(T;Y)`
/// (how much of the label).
///
/// `X` is the clip and `Y` its label. The network is deterministic, so for distinct clips `I(X;T) = H(T)`, which the
/// binning estimator measures on binned `T` (at most `ln N`); the `kde` estimator instead adds Gaussian noise to `T`
/// (Saxe et al.) so that `I(X;T̃)` is finite and smooth. Both depend on the bin width or noise variance, and with
/// wide layers and few clips every clip lands in its own cell (`I(X;T) = ln N`, `I(T;Y) = H(Y)`): compare
/// layers and steps, not absolute values.
///
/// ```swift
/// let report = try InformationPlane.compute(runDirectory: "runs/kws", data: "data/sc", settings: InformationPlaneSettings(clips: 500))
/// try report.jsonData().write(to: URL(fileURLWithPath: "plane.json"))
/// ```
public enum InformationPlane {
    /// The keyword model configuration of a run folder: the `model` entry of `RUN/settings.json`.
    /// - Throws: ``InformationBottleneckError/runSettings(path:reason:)``.
    public static func configuration(runDirectory: String) throws(InformationBottleneckError) -> KWSConfiguration {
        let path = (runDirectory as NSString).appendingPathComponent("settings.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .runSettings(path: path, reason: "missing (is \(runDirectory) a train-kws or pretrain run folder?)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], let model = object["model"],
              let modelData = try? JSONSerialization.data(withJSONObject: model)
        else { throw .runSettings(path: path, reason: "holds no 'model' configuration") }
        do { return try KWSConfiguration.decode(modelData, path: path + " (model)") } catch {
            throw .runSettings(path: path, reason: error.description)
        }
    }

    /// Loads `count` clips of the dev split of `data` (the test split when the dev split is empty), balanced like
    /// the standard test set, as features `[N, T, M]` and labels `[N]`.
    /// - Throws: ``InformationBottleneckError`` or the dataset's errors.
    public static func clips(data: String, configuration: KWSConfiguration, count: Int) throws -> (features: Tensor, labels: [Int]) {
        guard let labelSet = KeywordLabelSet(labels: configuration.labels) else {
            throw InformationBottleneckError.runSettings(
                path: data, reason: "the model's labels (\(configuration.labels.joined(separator: ","))) are not a Speech Commands task")
        }
        let rate = configuration.frontEnd.sampleRate, length = configuration.frontEnd.clipSamples
        let dataset = try SpeechCommandsDataset(root: data, labelSet: labelSet, windowSamples: length)
        var examples = try dataset.examples(in: .dev)
        if examples.isEmpty { examples = try dataset.examples(in: .test) }
        var rng = SplitMix64(seed: KeywordClips.balanceSeed)
        let chosen = KeywordClips.balanced(examples, labelSet: labelSet, limit: count, using: &rng)
        guard chosen.count >= 4 else { throw InformationBottleneckError.tooFewClips(path: data, count: chosen.count, required: 4) }
        let frontEnd = try LogMelFrontEnd(configuration.frontEnd)
        let windows = try chosen.map { try KeywordClips.load($0, sampleRate: rate, length: length) }
        return (frontEnd.batch(windows), chosen.map(\.label))
    }

    /// A classifier holding a snapshot's weights: all of them strictly when the snapshot has a classifier, else the
    /// encoder's (a pretraining run; the `logits` tap is then meaningless).
    /// - Returns: the model (in evaluation mode) and whether it has trained classifier weights.
    public static func model(configuration: KWSConfiguration, tensors: [String: Tensor], path: String) throws(InformationBottleneckError)
        -> (model: KeywordClassifier, hasClassifier: Bool)
    {
        let model = KeywordClassifier(configuration: configuration, seed: 0)
        let hasClassifier = tensors["classifier.weight"] != nil
        do {
            if hasClassifier { try model.load(tensors) } else { try model.loadEncoder(from: tensors) }
        } catch { throw .snapshotMismatch(path: path, reason: error.description) }
        model.setTraining(false)
        return (model, hasClassifier)
    }

    /// The estimates for the chosen taps of one model.
    /// - Parameters:
    ///   - model: the network (evaluation mode).
    ///   - features: `[N, T, M]` log-mel windows.
    ///   - labels: `[N]` class indices.
    ///   - layers: tap names.
    ///   - settings: the estimator.
    /// - Returns: a point per layer.
    /// - Throws: `InformationTheoryError` from the estimators.
    public static func measure(
        model: KeywordClassifier, features: Tensor, labels: [Int], layers: [String], settings: InformationPlaneSettings
    ) throws -> [String: InformationPlanePoint] {
        let n = features.shape[0]
        var rows: [String: [Float]] = [:]
        let wanted = Set(layers)
        for start in stride(from: 0, to: n, by: 32) {
            let batch = features.sliced(axis: 0, start..<min(n, start + 32))
            let taps = Autograd.withInferenceMode { model.activations(batch, names: wanted) }
            for (name, t) in taps { rows[name, default: []] += t.scalars }
        }
        var points: [String: InformationPlanePoint] = [:]
        for layer in layers {
            let values = rows[layer] ?? []
            let t = SampleMatrix(rows: n, columns: values.count / n, converting: values)
            points[layer] = try point(t, labels: labels, settings: settings)
        }
        return points
    }

    /// `I(X;T)` and `I(T;Y)` of activations `t` `[N, d]` with labels `[N]`.
    static func point(_ t: SampleMatrix, labels: [Int], settings: InformationPlaneSettings) throws -> InformationPlanePoint {
        let n = t.rows
        let identity = Observations.labels(Array(0..<n))   // X: each clip is its own value
        var binning = MutualInformationSettings(estimator: .binning, bins: settings.bins, threads: settings.threads)
        switch settings.estimator {
        case .binning, .mixed:
            let inputInformation = try MutualInformation.estimate(x: .continuous(t), y: identity, settings: binning).nats
            let labelInformation: Double
            if settings.estimator == .binning {
                labelInformation = try MutualInformation.estimate(x: .continuous(t), y: .labels(labels), settings: binning).nats
            } else {
                binning.estimator = .mixed
                binning.neighbors = settings.neighbors
                labelInformation = try MutualInformation.estimate(x: .continuous(t), y: .labels(labels), settings: binning).nats
            }
            return InformationPlanePoint(inputInformation: inputInformation, labelInformation: labelInformation)
        case .kde:
            let kde = MutualInformationSettings(estimator: .kde, noiseVariance: settings.noiseVariance, threads: settings.threads)
            return InformationPlanePoint(
                inputInformation: try MutualInformation.estimate(x: .continuous(t), y: identity, settings: kde).nats,
                labelInformation: try MutualInformation.estimate(x: .continuous(t), y: .labels(labels), settings: kde).nats)
        }
    }

    /// The plug-in entropy `H(Y)` of labels, in nats.
    public static func entropy(_ labels: [Int]) -> Double {
        var counts: [Int: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        let n = Double(labels.count)
        return counts.values.reduce(0) { $0 - Double($1) / n * log(Double($1) / n) }
    }

    /// The information plane of every snapshot of a run.
    /// - Parameters:
    ///   - runDirectory: a `train-kws` (or `pretrain`) run folder with `snapshots/`.
    ///   - data: a Speech Commands folder whose dev (or test) split gives the clips.
    ///   - settings: layers, clips and estimator.
    ///   - progress: called with (snapshots done, snapshots in all) after each snapshot.
    /// - Returns: the report.
    /// - Throws: ``InformationBottleneckError``, `TrainingError` (no snapshots), dataset and estimator errors.
    public static func compute(
        runDirectory: String, data: String, settings: InformationPlaneSettings, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> InformationPlaneReport {
        try settings.validate()
        let configuration = try configuration(runDirectory: runDirectory)
        let snapshots = try WeightSnapshots.list(runDirectory: runDirectory)
        var layers: [String]?
        let (features, labels) = try clips(data: data, configuration: configuration, count: settings.clips)
        var result: [InformationPlaneReport.Snapshot] = []
        for (index, snapshot) in snapshots.enumerated() {
            let tensors = try WeightSnapshots.read(snapshot)
            let (model, hasClassifier) = try model(configuration: configuration, tensors: tensors, path: snapshot.path)
            if layers == nil {
                let available = model.tapNames.filter { hasClassifier || $0 != "logits" }
                let requested = settings.layers ?? model.defaultTaps
                let unknown = requested.filter { !available.contains($0) }
                guard unknown.isEmpty else { throw InformationBottleneckError.unknownLayers(unknown, available: available) }
                layers = available.filter { requested.contains($0) }
            }
            let points = try measure(model: model, features: features, labels: labels, layers: layers!, settings: settings)
            result.append(.init(step: snapshot.step, layers: points))
            progress(index + 1, snapshots.count)
        }
        return InformationPlaneReport(
            estimator: settings.estimator, bins: settings.estimator == .kde ? nil : settings.bins,
            noiseVariance: settings.estimator == .kde ? settings.noiseVariance : nil, clips: labels.count,
            labelEntropy: entropy(labels), maxInputInformation: log(Double(labels.count)), layers: layers ?? [], snapshots: result)
    }
}
