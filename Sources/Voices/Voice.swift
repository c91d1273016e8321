/// One synthetic speaker: an engine, its voice (and espeak-ng variant), and the prosody drawn for a clip.
///
/// The prosody fields are espeak-ng's; other engines map them onto their own controls where they have one
/// (speaking rate everywhere; pitch for MBROLA and SVOX Pico; amplitude as a gain).
public struct Voice: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The engine family that speaks.
    public var engine: EngineFamily
    /// The engine's voice: an espeak-ng or MBROLA voice (`en-us`, `mb-de3-en`), a Festival voice (`rab_diphone`),
    /// a Pico language (`de-DE`), or a Kokoro speaker number (`0042`).
    public var name: String
    /// espeak-ng variant, for example `f3` or `klatt2`; empty for the voice's own (and for the other engines).
    public var variant: String
    /// Base pitch, 0...99 (espeak default 50).
    public var pitch: Int
    /// Speaking rate in words per minute, 80...450 (espeak default 175).
    public var rate: Int
    /// Amplitude, 10...200 (espeak default 100).
    public var amplitude: Int
    /// Extra pause between words in units of 10 ms, 0...50.
    public var wordGap: Int

    public init(name: String, variant: String, pitch: Int = 50, rate: Int = 175, amplitude: Int = 100, wordGap: Int = 0,
                engine: EngineFamily = .espeak) {
        self.engine = engine
        self.name = name
        self.variant = variant
        self.pitch = pitch
        self.rate = rate
        self.amplitude = amplitude
        self.wordGap = wordGap
    }

    /// The voice of a speaker identity (as ``identity`` writes it), with default prosody.
    /// - Throws: ``SynthesisError/unknownEngine(_:)`` for an unknown engine prefix.
    public init(identity: String) throws(SynthesisError) {
        var engine = EngineFamily.espeak, rest = Substring(identity)
        if let colon = identity.firstIndex(of: ":") {
            let prefix = String(identity[..<colon])
            guard let family = EngineFamily(rawValue: prefix) else { throw .unknownEngine(prefix) }
            engine = family
            rest = identity[identity.index(after: colon)...]
        }
        let parts = engine == .espeak ? rest.split(separator: "+", maxSplits: 1).map(String.init) : [String(rest)]
        self.init(name: parts.first ?? "", variant: parts.count > 1 ? parts[1] : "", engine: engine)
    }

    /// The speaker's identity: what separates train, dev and test speakers. `voice+variant` for espeak-ng (as
    /// corpora made before other engines existed wrote it), `engine:voice` for the others.
    public var identity: String {
        switch engine {
        case .espeak: variant.isEmpty ? name : "\(name)+\(variant)"
        default: "\(engine.rawValue):\(name)"
        }
    }

    /// The speaking rate as a factor of the engine's default (175 words per minute is 1).
    public var speed: Double { Double(rate) / 175 }

    /// The amplitude as a linear gain (100 is 1).
    public var gain: Float { Float(amplitude) / 100 }

    /// `samples` scaled by ``gain`` and kept within [-1, 1] (the engines that have no amplitude control of their own).
    public func applyingGain(to samples: [Float]) -> [Float] {
        let gain = gain
        return gain == 1 ? samples : samples.map { max(-1, min(1, $0 * gain)) }
    }

    enum CodingKeys: String, CodingKey { case engine, name, variant, pitch, rate, amplitude, wordGap }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        engine = try c.decodeIfPresent(EngineFamily.self, forKey: .engine) ?? .espeak
        name = try c.decode(String.self, forKey: .name)
        variant = try c.decode(String.self, forKey: .variant)
        pitch = try c.decode(Int.self, forKey: .pitch)
        rate = try c.decode(Int.self, forKey: .rate)
        amplitude = try c.decode(Int.self, forKey: .amplitude)
        wordGap = try c.decode(Int.self, forKey: .wordGap)
    }

    public var description: String {
        "\(identity) pitch \(pitch) rate \(rate) amplitude \(amplitude) gap \(wordGap)"
    }
}
