import Foundation

/// Everything that defines a keyword-spotting model besides its weights: the labels, the front end, the sizes
/// and the input normalization. Stored as `config.json` in a model folder (snake_case keys).
///
/// The encoder (CAB-KWS style, see `shared/kws/CAB-KWS.md`): log-mel `[T, M]` -> two 3x3 stride-2 convolutions with
/// `conv_channels` channels, GroupNorm and residual paths -> `[T/4, M/4·C]` -> attention soft-pooling over
/// `pool_frames` frames -> `layers` pre-norm Transformer layers of width `M/4·C` -> the `readout` (the last
/// `last_frames` frames concatenated, or the mean of all frames) -> a linear bottleneck of `bottleneck_dim`. Heads: classifier, reconstruction
/// (time-averaged log-mel) and an NT-Xent projection MLP.
///
/// ```swift
/// var config = KWSConfiguration(labels: KWSConfiguration.twelveLabels)
/// config.layers = 2
/// try config.validate()
/// ```
public struct KWSConfiguration: Sendable, Codable, Equatable {
    /// The `model_type` this build writes and reads.
    public static let modelType = "sepkws-kws-cab"
    /// The 12-class labels in class-index order (Speech Commands spellings).
    public static let twelveLabels = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "_unknown_", "_silence_"]

    /// Always ``modelType``.
    public var modelType: String
    /// Class labels, in class-index order.
    public var labels: [String]
    /// The log-mel front end.
    public var frontEnd: KWSFrontEnd
    /// Channels of the two convolutions `C` (the paper: 32).
    public var convChannels: Int
    /// GroupNorm groups of the convolution blocks (divides `C`).
    public var normGroups: Int
    /// Frames merged by attention soft-pooling `g`.
    public var poolFrames: Int
    /// Transformer layers (the paper: 2).
    public var layers: Int
    /// Attention heads (divide the width); each is `E/heads` wide.
    public var heads: Int
    /// Heads kept in each Transformer layer (`attention_heads`, as many as `layers`, each 1 to ``heads``; a compressed
    /// model's), or nil for ``heads`` everywhere. A head stays `E/heads` wide. See ``attentionHeads(layer:)``.
    public var attentionHeads: [Int]?
    /// Transformer feed-forward width (of every layer, unless ``feedForwardDimensions`` sets them one by one).
    public var feedForwardDimension: Int
    /// Feed-forward width of each Transformer layer (`ffn_dims`, as many as `layers`; a compressed model's), or nil
    /// for ``feedForwardDimension`` everywhere. See ``feedForwardDimension(layer:)``.
    public var feedForwardDimensions: [Int]?
    /// Frames concatenated after the Transformer `r` (the paper: 2), with the `last_frames` readout.
    public var lastFrames: Int
    /// How the Transformer's tokens feed the bottleneck (absent in a config.json: `last_frames`).
    public var readout: KWSReadout
    /// Bottleneck width (the paper: 800).
    public var bottleneckDimension: Int
    /// Hidden width of the projection MLP (pretraining only).
    public var projectionHidden: Int
    /// Output width of the projection MLP (pretraining only).
    public var projectionDimension: Int
    /// Dropout on the selected frames before the bottleneck (training only).
    public var dropout: Float
    /// Log-mel normalization: the model sees `(logmel − input_mean) / input_std`.
    public var inputMean: Float
    /// See ``inputMean``.
    public var inputStd: Float
    /// Detection thresholds by label, calibrated for this model (`train-kws --words` writes them); `detect` and
    /// `eval-stream` use them when `--threshold` does not set a keyword's. Absent (nil) in most configurations.
    /// See `KWSConfiguration+Thresholds.swift`.
    public var thresholds: [String: Float]?
    /// The weight β of the variational information bottleneck this model was trained with (`train-kws --vib-beta`),
    /// or nil. When set, the encoder also has `bottleneck_log_variance` (training samples the embedding from
    /// `N(μ, σ²)`; inference uses `μ`, the ordinary bottleneck). Absent (nil) in most configurations.
    /// See `KWSEncoder+VariationalBottleneck.swift`.
    public var vibBeta: Float?
    /// The folder name of the model this one was compressed from (`sepkws compress`), or nil.
    public var compressedFrom: String?
    /// The multiply-adds budget of that compression, as a share of the parent's, or nil.
    public var compressionBudget: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case modelType = "model_type", labels, frontEnd = "front_end", convChannels = "conv_channels", normGroups = "norm_groups"
        case poolFrames = "pool_frames", layers, heads, feedForwardDimension = "ffn_dim", lastFrames = "last_frames"
        case readout, bottleneckDimension = "bottleneck_dim", projectionHidden = "projection_hidden", projectionDimension = "projection_dim"
        case dropout, inputMean = "input_mean", inputStd = "input_std", thresholds, vibBeta = "vib_beta"
        case feedForwardDimensions = "ffn_dims", compressedFrom = "compressed_from", compressionBudget = "compression_budget"
        case attentionHeads = "attention_heads"
    }

    /// A configuration; the default sizes are SepKWS's shipped "small" encoder (16 channels, width 160, 2 layers,
    /// FFN 320, bottleneck 256), sized to train on two CPU cores. ``paper(labels:)`` gives the paper's sizes.
    public init(
        labels: [String], frontEnd: KWSFrontEnd = KWSFrontEnd(), convChannels: Int = 16, normGroups: Int = 4, poolFrames: Int = 2,
        layers: Int = 2, heads: Int = 4, feedForwardDimension: Int = 320, lastFrames: Int = 2, readout: KWSReadout = .lastFrames, bottleneckDimension: Int = 256,
        projectionHidden: Int = 256, projectionDimension: Int = 128, dropout: Float = 0.1, inputMean: Float = -8, inputStd: Float = 4
    ) {
        self.modelType = Self.modelType
        self.labels = labels; self.frontEnd = frontEnd; self.convChannels = convChannels; self.normGroups = normGroups
        self.poolFrames = poolFrames; self.layers = layers; self.heads = heads; self.feedForwardDimension = feedForwardDimension
        self.lastFrames = lastFrames; self.readout = readout; self.bottleneckDimension = bottleneckDimension; self.projectionHidden = projectionHidden
        self.projectionDimension = projectionDimension; self.dropout = dropout; self.inputMean = inputMean; self.inputStd = inputStd
    }

    /// Decodes a config.json; configurations written before `readout` existed read as `last_frames`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        modelType = try c.decode(String.self, forKey: .modelType)
        labels = try c.decode([String].self, forKey: .labels)
        frontEnd = try c.decode(KWSFrontEnd.self, forKey: .frontEnd)
        convChannels = try c.decode(Int.self, forKey: .convChannels)
        normGroups = try c.decode(Int.self, forKey: .normGroups)
        poolFrames = try c.decode(Int.self, forKey: .poolFrames)
        layers = try c.decode(Int.self, forKey: .layers)
        heads = try c.decode(Int.self, forKey: .heads)
        feedForwardDimension = try c.decode(Int.self, forKey: .feedForwardDimension)
        lastFrames = try c.decode(Int.self, forKey: .lastFrames)
        readout = try c.decodeIfPresent(KWSReadout.self, forKey: .readout) ?? .lastFrames
        bottleneckDimension = try c.decode(Int.self, forKey: .bottleneckDimension)
        projectionHidden = try c.decode(Int.self, forKey: .projectionHidden)
        projectionDimension = try c.decode(Int.self, forKey: .projectionDimension)
        dropout = try c.decode(Float.self, forKey: .dropout)
        inputMean = try c.decode(Float.self, forKey: .inputMean)
        inputStd = try c.decode(Float.self, forKey: .inputStd)
        thresholds = try c.decodeIfPresent([String: Float].self, forKey: .thresholds)
        vibBeta = try c.decodeIfPresent(Float.self, forKey: .vibBeta)
        feedForwardDimensions = try c.decodeIfPresent([Int].self, forKey: .feedForwardDimensions)
        attentionHeads = try c.decodeIfPresent([Int].self, forKey: .attentionHeads)
        compressedFrom = try c.decodeIfPresent(String.self, forKey: .compressedFrom)
        compressionBudget = try c.decodeIfPresent(Double.self, forKey: .compressionBudget)
    }

    /// The paper's sizes: 32 channels (width 320), 2 layers, 4 heads, FFN 1280, r = 2, bottleneck 800 (about 3 M parameters).
    public static func paper(labels: [String]) -> KWSConfiguration {
        KWSConfiguration(labels: labels, convChannels: 32, normGroups: 8, feedForwardDimension: 1280, bottleneckDimension: 800)
    }

    /// Output length of a 3-tap, stride-2, padding-1 convolution.
    static func halved(_ n: Int) -> Int { (n - 1) / 2 + 1 }

    /// Mel rows after the two stride-2 convolutions.
    public var melsAfterConvolution: Int { Self.halved(Self.halved(frontEnd.melCount)) }
    /// Frames after the two stride-2 convolutions.
    public var framesAfterConvolution: Int { Self.halved(Self.halved(frontEnd.frameCount)) }
    /// Frames after soft-pooling (leading frames that do not fill a group are dropped).
    public var pooledFrames: Int { framesAfterConvolution / poolFrames }
    /// Transformer width `C · M/4` (320 for the paper's 32 channels and 40 mels).
    public var modelDimension: Int { convChannels * melsAfterConvolution }
    /// Number of classes.
    public var classCount: Int { labels.count }
    /// Width of the bottleneck's input: `last_frames · E`, or `E` for the mean readout.
    public var readoutWidth: Int { readout == .lastFrames ? lastFrames * modelDimension : modelDimension }

    /// Multiply-accumulates of one classified window (convolutions with their shortcuts, soft-pooling scores,
    /// attention projections, scores and values, feed-forward layers, bottleneck and classifier; norms,
    /// activations and softmaxes are not counted). The front end's FFTs are not included.
    public var multiplyAccumulatesPerWindow: Int {
        fixedMultiplyAccumulates + (0..<layers).reduce(0) {
            $0 + attentionHeadMultiplyAccumulates * attentionHeads(layer: $1) + feedForwardUnitMultiplyAccumulates * feedForwardDimension(layer: $1)
        }
            + bottleneckUnitMultiplyAccumulates * bottleneckDimension
    }

    /// The feed-forward width of Transformer layer `layer`.
    public func feedForwardDimension(layer: Int) -> Int { feedForwardDimensions?[layer] ?? feedForwardDimension }

    /// The attention heads of Transformer layer `layer`.
    public func attentionHeads(layer: Int) -> Int { attentionHeads?[layer] ?? heads }

    /// The width of one attention head `E/heads`.
    public var headDimension: Int { modelDimension / heads }

    /// The part of ``multiplyAccumulatesPerWindow`` no pruned unit changes: the convolutions with their shortcuts
    /// and the soft-pooling scores.
    public var fixedMultiplyAccumulates: Int {
        let c = convChannels, e = modelDimension
        let t1 = Self.halved(frontEnd.frameCount), m1 = Self.halved(frontEnd.melCount)
        let t2 = framesAfterConvolution, m2 = melsAfterConvolution
        return t1 * m1 * c * (9 + 1) + t2 * m2 * c * c * (9 + 1) + t2 * e
    }

    /// Multiply-adds of one attention head of width `d = E/heads`: its query, key and value rows and its output
    /// projection columns `4·t·E·d`, its scores and values `2·t²·d` (all heads of a layer: `4·t·E² + 2·t²·E`).
    public var attentionHeadMultiplyAccumulates: Int {
        4 * pooledFrames * modelDimension * headDimension + 2 * pooledFrames * pooledFrames * headDimension
    }

    /// Multiply-adds of one feed-forward unit: `2·t·E` (a row of the first linear, a column of the second).
    public var feedForwardUnitMultiplyAccumulates: Int { 2 * pooledFrames * modelDimension }

    /// Multiply-adds of one bottleneck unit: its row of the bottleneck and its column of the classifier.
    public var bottleneckUnitMultiplyAccumulates: Int { readoutWidth + classCount }

    /// The largest sizes a configuration may ask for, so that a mistyped `config.json` (`"layers": 1000000000`) is
    /// refused before anything is built. The shipped models are far inside them (16 channels, 2 layers, 0.5 M parameters).
    public static let limits = (labels: 10_000, convChannels: 256, poolFrames: 16, layers: 32, heads: 64, width: 8_192,
                                frames: 2_000, parameters: 100_000_000)

    /// Weights of the encoder and heads, roughly (convolutions, Transformer layers, bottleneck, classifier, projection
    /// MLP); only for bounding a configuration's size. Meaningful once each size is within ``limits``.
    public var approximateParameterCount: Int {
        let c = convChannels, e = modelDimension
        let convolutions = 10 * c + 10 * c * c
        let transformer = (0..<layers).reduce(0) { $0 + 4 * e * headDimension * attentionHeads(layer: $1) + 2 * e * feedForwardDimension(layer: $1) + 9 * e }
        return convolutions + transformer + readoutWidth * bottleneckDimension + bottleneckDimension * (classCount + projectionHidden)
            + projectionHidden * projectionDimension + bottleneckDimension * frontEnd.melCount
    }

    /// Throws the first impossible setting, naming its JSON key.
    /// - Throws: ``KeywordSpottingError/invalidConfiguration(field:value:reason:)``.
    public func validate() throws(KeywordSpottingError) {
        func fail(_ field: String, _ value: Any, _ reason: String) -> KeywordSpottingError {
            .invalidConfiguration(field: field, value: "\(value)", reason: reason)
        }
        guard modelType == Self.modelType else { throw fail("model_type", modelType, "expected '\(Self.modelType)'") }
        guard labels.count >= 2 else { throw fail("labels", labels.count, "need at least 2 labels") }
        guard labels.count <= Self.limits.labels else { throw fail("labels", labels.count, "at most \(Self.limits.labels) labels") }
        guard Set(labels).count == labels.count else { throw fail("labels", labels, "labels must be distinct") }
        guard labels.allSatisfy({ !$0.isEmpty }) else { throw fail("labels", labels, "labels must be non-empty") }
        try frontEnd.validate()
        let limits = Self.limits
        guard (1...limits.convChannels).contains(convChannels) else { throw fail("conv_channels", convChannels, "must be 1 to \(limits.convChannels)") }
        guard normGroups >= 1, convChannels % normGroups == 0 else { throw fail("norm_groups", normGroups, "must divide conv_channels (\(convChannels))") }
        guard (1...limits.poolFrames).contains(poolFrames) else { throw fail("pool_frames", poolFrames, "must be 1 to \(limits.poolFrames)") }
        guard (0...limits.layers).contains(layers) else { throw fail("layers", layers, "must be 0 to \(limits.layers)") }
        guard modelDimension <= limits.width else {
            throw fail("conv_channels", convChannels, "gives a width of \(modelDimension) (conv_channels x n_mels/4); at most \(limits.width)")
        }
        guard (1...limits.heads).contains(heads), modelDimension % heads == 0 else { throw fail("heads", heads, "must divide the width \(modelDimension)") }
        guard (1...limits.width).contains(feedForwardDimension) else { throw fail("ffn_dim", feedForwardDimension, "must be 1 to \(limits.width)") }
        if let widths = feedForwardDimensions {
            guard widths.count == layers else { throw fail("ffn_dims", widths, "needs one width per layer (\(layers))") }
            guard widths.allSatisfy({ (1...limits.width).contains($0) }) else { throw fail("ffn_dims", widths, "each must be 1 to \(limits.width)") }
        }
        if let counts = attentionHeads {
            guard counts.count == layers else { throw fail("attention_heads", counts, "needs one count per layer (\(layers))") }
            guard counts.allSatisfy({ (1...heads).contains($0) }) else { throw fail("attention_heads", counts, "each must be 1 to heads (\(heads))") }
        }
        if let compressionBudget, !(compressionBudget > 0 && compressionBudget <= 1) {
            throw fail("compression_budget", compressionBudget, "must be in (0, 1]")
        }
        guard lastFrames >= 1, lastFrames <= pooledFrames else {
            throw fail("last_frames", lastFrames, "must be 1 to the \(pooledFrames) frames left after pooling")
        }
        guard (1...limits.width).contains(bottleneckDimension) else { throw fail("bottleneck_dim", bottleneckDimension, "must be 1 to \(limits.width)") }
        guard (1...limits.width).contains(projectionHidden) else { throw fail("projection_hidden", projectionHidden, "must be 1 to \(limits.width)") }
        guard (1...limits.width).contains(projectionDimension) else { throw fail("projection_dim", projectionDimension, "must be 1 to \(limits.width)") }
        guard approximateParameterCount <= limits.parameters else {
            throw fail("layers", layers, "these sizes make about \(approximateParameterCount / 1_000_000) M parameters; at most \(limits.parameters / 1_000_000) M")
        }
        guard dropout >= 0, dropout < 1 else { throw fail("dropout", dropout, "must be in [0, 1)") }
        guard inputStd > 0, inputStd.isFinite, inputMean.isFinite else { throw fail("input_std", inputStd, "must be positive and finite") }
        if let vibBeta, !(vibBeta >= 0 && vibBeta.isFinite) { throw fail("vib_beta", vibBeta, "must be 0 or more and finite") }
    }

    /// The configuration as pretty-printed JSON (sorted keys).
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data()
    }

    /// Decodes and validates a configuration.
    /// - Parameters:
    ///   - data: JSON.
    ///   - path: named in errors.
    /// - Throws: ``KeywordSpottingError/malformedConfiguration(path:reason:)`` or `.invalidConfiguration`.
    public static func decode(_ data: Data, path: String) throws(KeywordSpottingError) -> KWSConfiguration {
        // Keys this build does not know are refused (a misspelt size would otherwise be silently ignored), and a
        // fractional size is named rather than reported as a decoding failure.
        if let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
            let nested = object["front_end"] as? [String: Any] ?? [:]
            let unknown = object.keys.filter { CodingKeys(rawValue: $0) == nil }.sorted()
                + nested.keys.filter { KWSFrontEnd.CodingKeys(rawValue: $0) == nil }.sorted().map { "front_end." + $0 }
            if !unknown.isEmpty { throw .malformedConfiguration(path: path, reason: "unknown keys \(unknown.joined(separator: ", "))") }
            let integers = [CodingKeys.convChannels, .normGroups, .poolFrames, .layers, .heads, .feedForwardDimension, .lastFrames,
                            .bottleneckDimension, .projectionHidden, .projectionDimension].map { ($0.rawValue, object) }
                + [KWSFrontEnd.CodingKeys.sampleRate, .clipSamples, .nFFT, .windowLength, .hopLength, .melCount].map { ("front_end." + $0.rawValue, nested) }
            for (key, dictionary) in integers {
                let name = key.hasPrefix("front_end.") ? String(key.dropFirst(10)) : key
                if let number = dictionary[name] as? NSNumber, !(dictionary[name] is Bool), Int(exactly: number.doubleValue) == nil {
                    throw .malformedConfiguration(path: path, reason: "'\(key)' must be an integer, not \(number)")
                }
            }
        }
        let config: KWSConfiguration
        do { config = try JSONDecoder().decode(KWSConfiguration.self, from: data) } catch let error as DecodingError {
            throw .malformedConfiguration(path: path, reason: Self.describe(error))
        } catch {
            throw .malformedConfiguration(path: path, reason: "\(error)")
        }
        do { try config.validate() } catch .invalidConfiguration(let field, let value, let reason) {
            throw .invalidConfigurationFile(path: path, field: field, value: value, reason: reason)
        }
        return config
    }

    private static func describe(_ error: DecodingError) -> String {
        func key(_ path: [any CodingKey]) -> String { path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }
        switch error {
        case .keyNotFound(let k, let context): return "missing key '\(key(context.codingPath + [k]))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at '\(key(context.codingPath))': \(context.debugDescription)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "invalid value at '\(key(context.codingPath))': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
