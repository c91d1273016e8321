import Foundation

/// The sizes of a MossFormer2 separator, under the reference implementation's names (ClearerVoice-Studio yaml keys,
/// plus the sizes the reference hard-codes). An absent key takes the reference default.
///
/// ```json
/// {"encoder_embedding_dim": 512, "mossformer_sequence_dim": 512, "num_mossformer_layer": 24,
///  "encoder_kernel_size": 16, "num_spks": 2, "sample_rate": 16000}
/// ```
public struct MossFormer2Configuration: Sendable, Codable, Equatable {
    /// N: encoder channels.
    public var encoderEmbeddingDim = 512
    /// D: sequence width (must equal N, as in the reference).
    public var mossformerSequenceDim = 512
    /// R: MossFormer2 blocks (each one attention layer + one gated FSMN block).
    public var numMossformerLayer = 24
    /// K: encoder/decoder kernel; stride K/2.
    public var encoderKernelSize = 16
    /// C: speakers.
    public var numSpks = 2
    /// g: attention group length (frames).
    public var groupSize = 256
    /// Q: shared query/key width.
    public var queryKeyDim = 128
    /// E: FLASH expansion factor (the reference only runs with 4).
    public var expansionFactor = 4.0
    /// F: FSMN bottleneck width.
    public var fsmnInnerChannels = 256
    /// L: FSMN memory order (kernel 2L - 1).
    public var fsmnLorder = 20
    /// Depthwise kernel of every ConvModule.
    public var convKernelSize = 17
    /// The rate the model was trained at (Hz).
    public var sampleRate = 16_000
    /// A free-form name (ignored by the model).
    public var name: String?
    /// Whether the model asks to be run on both polarities by default (`separate` and `eval-sep` then also separate
    /// the negated mixture and average in its estimates, negated back): a SepKWS key, absent (false) in reference
    /// checkpoints, so that they separate exactly as the reference code does.
    public var bothPolarities: Bool?
    /// Per block, the width of the attention layer's `v` and of its `u` (to_hidden makes twice it, to_out reads it):
    /// a SepKWS key written by `compress`; absent, every block has `expansion_factor · D / 2`.
    public var attentionHiddenDims: [Int]?
    /// Per block, the query/key width `Q_i` (at least the rotary width, which stays that of `query_key_dim`): a
    /// SepKWS key written by `compress`; absent, every block has `query_key_dim`.
    public var queryKeyDims: [Int]?
    /// Per block, the hidden width of the FSMN unit's `linear` → `project` pair: a SepKWS key written by `compress`;
    /// absent, every block has `fsmn_inner_channels`.
    public var fsmnHiddenDims: [Int]?
    /// The folder name of the model this one was compressed from (`sepkws compress`).
    public var compressedFrom: String?
    /// The multiply-adds budget of that compression, as a share of the parent's.
    public var compressionBudget: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case encoderEmbeddingDim = "encoder_embedding_dim", mossformerSequenceDim = "mossformer_sequence_dim"
        case numMossformerLayer = "num_mossformer_layer", encoderKernelSize = "encoder_kernel_size", numSpks = "num_spks"
        case groupSize = "group_size", queryKeyDim = "query_key_dim", expansionFactor = "expansion_factor"
        case fsmnInnerChannels = "fsmn_inner_channels", fsmnLorder = "fsmn_lorder", convKernelSize = "conv_kernel_size"
        case sampleRate = "sample_rate", name, bothPolarities = "both_polarities"
        case attentionHiddenDims = "attention_hidden_dims", queryKeyDims = "query_key_dims", fsmnHiddenDims = "fsmn_hidden_dims"
        case compressedFrom = "compressed_from", compressionBudget = "compression_budget"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        encoderEmbeddingDim = try value(.encoderEmbeddingDim, 512)
        mossformerSequenceDim = try value(.mossformerSequenceDim, 512)
        numMossformerLayer = try value(.numMossformerLayer, 24)
        encoderKernelSize = try value(.encoderKernelSize, 16)
        numSpks = try value(.numSpks, 2)
        groupSize = try value(.groupSize, 256)
        queryKeyDim = try value(.queryKeyDim, 128)
        expansionFactor = try value(.expansionFactor, 4.0)
        fsmnInnerChannels = try value(.fsmnInnerChannels, 256)
        fsmnLorder = try value(.fsmnLorder, 20)
        convKernelSize = try value(.convKernelSize, 17)
        sampleRate = try value(.sampleRate, 16_000)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        bothPolarities = try c.decodeIfPresent(Bool.self, forKey: .bothPolarities)
        attentionHiddenDims = try c.decodeIfPresent([Int].self, forKey: .attentionHiddenDims)
        queryKeyDims = try c.decodeIfPresent([Int].self, forKey: .queryKeyDims)
        fsmnHiddenDims = try c.decodeIfPresent([Int].self, forKey: .fsmnHiddenDims)
        compressedFrom = try c.decodeIfPresent(String.self, forKey: .compressedFrom)
        compressionBudget = try c.decodeIfPresent(Double.self, forKey: .compressionBudget)
    }

    /// Reads `config.json`, rejecting unknown keys and impossible values.
    /// - Throws: ``SeparationError``.
    public init(contentsOf path: String) throws(SeparationError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .modelDirectory(.missingFile(path: path)) }
        try self.init(data: data, path: path)
    }

    /// Decodes `config.json`'s bytes like ``init(contentsOf:)``; `path` is named in errors.
    /// - Throws: ``SeparationError``.
    public init(data: Data, path: String) throws(SeparationError) {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw .unreadableConfiguration(path: path, reason: "not JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw .unreadableConfiguration(path: path, reason: "not a JSON object")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        let unknown = dictionary.keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty { throw .unknownKeys(path: path, keys: unknown) }
        for key in dictionary.keys.sorted() where ![CodingKeys.expansionFactor, .name, .compressionBudget].map(\.rawValue).contains(key) {
            // JSONDecoder's message for 2.5 where an integer belongs is obscure; say which key must be whole.
            if let number = dictionary[key] as? NSNumber, Int(exactly: number.doubleValue) == nil {
                throw .unreadableConfiguration(path: path, reason: "'\(key)' must be an integer, not \(number)")
            }
        }
        do { self = try JSONDecoder().decode(Self.self, from: data) } catch {
            throw .unreadableConfiguration(path: path, reason: "a value has the wrong type (\(error))")
        }
        try validate()
    }

    /// Reads `config.json` like ``init(contentsOf:)``, with impossible values reported against the file
    /// (``SeparationError/invalidConfigurationFile(path:field:value:reason:)``).
    /// - Throws: ``SeparationError``.
    public static func load(contentsOf path: String) throws(SeparationError) -> MossFormer2Configuration {
        guard let data = FileManager.default.contents(atPath: path) else { throw .modelDirectory(.missingFile(path: path)) }
        return try load(data: data, path: path)
    }

    /// Decodes `config.json`'s bytes like ``load(contentsOf:)``; `path` is named in errors.
    /// - Throws: ``SeparationError``.
    public static func load(data: Data, path: String) throws(SeparationError) -> MossFormer2Configuration {
        do {
            return try MossFormer2Configuration(data: data, path: path)
        } catch .invalidConfiguration(let field, let value, let reason) {
            throw .invalidConfigurationFile(path: path, field: field, value: value, reason: reason)
        }
    }

    /// Throws if the reference could not run these sizes either.
    /// - Throws: ``SeparationError/invalidConfiguration(field:value:reason:)``.
    public func validate() throws(SeparationError) {
        func check(_ ok: Bool, _ field: String, _ value: Any, _ reason: String) throws(SeparationError) {
            if !ok { throw .invalidConfiguration(field: field, value: "\(value)", reason: reason) }
        }
        try check(encoderEmbeddingDim > 0 && encoderEmbeddingDim <= 8192, "encoder_embedding_dim", encoderEmbeddingDim, "must be 1 to 8192")
        try check(mossformerSequenceDim == encoderEmbeddingDim, "mossformer_sequence_dim", mossformerSequenceDim,
                  "must equal encoder_embedding_dim (\(encoderEmbeddingDim)): the reference decoder is built with D channels and fed N")
        try check(mossformerSequenceDim % 2 == 0, "mossformer_sequence_dim", mossformerSequenceDim, "must be even (token shift halves it)")
        try check((1...256).contains(numMossformerLayer), "num_mossformer_layer", numMossformerLayer, "must be 1 to 256")
        try check(encoderKernelSize >= 2 && encoderKernelSize % 2 == 0, "encoder_kernel_size", encoderKernelSize, "must be even and at least 2 (stride is half of it)")
        try check((1...8).contains(numSpks), "num_spks", numSpks, "must be 1 to 8")
        try check(groupSize >= 1, "group_size", groupSize, "must be positive")
        try check(queryKeyDim >= 2 && queryKeyDim % 2 == 0, "query_key_dim", queryKeyDim, "must be even and at least 2")
        try check(expansionFactor == 4, "expansion_factor", expansionFactor, "must be 4: the reference builds to_out as 2D -> D")
        try check(fsmnInnerChannels >= 1, "fsmn_inner_channels", fsmnInnerChannels, "must be positive")
        try check(fsmnLorder >= 1, "fsmn_lorder", fsmnLorder, "must be positive")
        try check(convKernelSize >= 1 && convKernelSize % 2 == 1, "conv_kernel_size", convKernelSize, "must be odd (same padding)")
        try check((1_000...192_000).contains(sampleRate), "sample_rate", sampleRate, "must be 1000 to 192000 Hz")
        for (field, widths, low) in [("attention_hidden_dims", attentionHiddenDims, 1), ("query_key_dims", queryKeyDims, rotaryDims),
                                     ("fsmn_hidden_dims", fsmnHiddenDims, 1)] {
            guard let widths else { continue }
            try check(widths.count == numMossformerLayer, field, widths, "must give one width per block (\(numMossformerLayer))")
            try check(widths.allSatisfy { $0 >= low && $0 <= 65_536 }, field, widths, "each must be \(low) to 65536")
        }
        if let compressionBudget {
            try check(compressionBudget > 0 && compressionBudget <= 1, "compression_budget", compressionBudget, "must be in (0, 1]")
        }
    }

    /// Block `i`'s width of `v` and of `u`: ``attentionHiddenDims``, else `expansion_factor · D / 2`.
    public func attentionHiddenDim(block i: Int) -> Int { attentionHiddenDims?[i] ?? Int(expansionFactor) * mossformerSequenceDim / 2 }

    /// Block `i`'s query/key width: ``queryKeyDims``, else `query_key_dim`.
    public func queryKeyDim(block i: Int) -> Int { queryKeyDims?[i] ?? queryKeyDim }

    /// Block `i`'s FSMN hidden width: ``fsmnHiddenDims``, else `fsmn_inner_channels`.
    public func fsmnHiddenDim(block i: Int) -> Int { fsmnHiddenDims?[i] ?? fsmnInnerChannels }

    /// Rotary dimensions: the first min(32, Q) q/k features.
    public var rotaryDims: Int { min(32, queryKeyDim) }

    /// Encoder frames for `samples` input samples: `(T - K) / (K/2) + 1` (0 if shorter than one kernel).
    public func frameCount(samples: Int) -> Int {
        samples < encoderKernelSize ? 0 : (samples - encoderKernelSize) / (encoderKernelSize / 2) + 1
    }
}
