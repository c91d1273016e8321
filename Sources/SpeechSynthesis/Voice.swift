/// One synthetic speaker: an espeak-ng voice, a variant, and the prosody drawn for a clip.
public struct Voice: Sendable, Hashable, Codable, CustomStringConvertible {
    /// espeak-ng voice (language) name, for example `en-us`.
    public var name: String
    /// espeak-ng variant, for example `f3` or `klatt2`; empty for the voice's own.
    public var variant: String
    /// Base pitch, 0...99 (espeak default 50).
    public var pitch: Int
    /// Speaking rate in words per minute, 80...450 (espeak default 175).
    public var rate: Int
    /// Amplitude, 10...200 (espeak default 100).
    public var amplitude: Int
    /// Extra pause between words in units of 10 ms, 0...50.
    public var wordGap: Int

    public init(name: String, variant: String, pitch: Int = 50, rate: Int = 175, amplitude: Int = 100, wordGap: Int = 0) {
        self.name = name
        self.variant = variant
        self.pitch = pitch
        self.rate = rate
        self.amplitude = amplitude
        self.wordGap = wordGap
    }

    /// The speaker's identity, `voice+variant`: what separates train, dev and test speakers.
    public var identity: String { variant.isEmpty ? name : "\(name)+\(variant)" }

    public var description: String {
        "\(identity) pitch \(pitch) rate \(rate) amplitude \(amplitude) gap \(wordGap)"
    }
}
