import Foundation

/// Background noises synthesized for training and test corpora.
public enum NoiseKind: String, Sendable, Codable, CaseIterable {
    /// Flat spectrum.
    case white
    /// -3 dB per octave (Paul Kellet's filter).
    case pink
    /// -6 dB per octave (leaky integral of white noise).
    case brown
    /// Mains hum: 50 or 60 Hz and its harmonics, with a little broadband noise.
    case hum
    /// Several talkers at once (made from speech by ``NoiseGenerator/babble(from:count:using:)``).
    case babble

    /// The noises that need no speech.
    public static let synthetic: [NoiseKind] = [.white, .pink, .brown, .hum]
}

/// Generates noise signals at RMS -26 dBFS, deterministic from the generator given.
public enum NoiseGenerator {
    /// RMS level of every generated noise (dBFS).
    public static let level = -26.0

    /// `count` samples of a synthetic noise at `sampleRate` (babble needs speech: use ``babble(from:count:using:)``).
    public static func make(
        _ kind: NoiseKind, count: Int, sampleRate: Int, using rng: inout some RandomNumberGenerator
    ) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        switch kind {
        case .white:
            for i in 0..<count { out[i] = gaussian(&rng) }
        case .pink:
            var b = [Float](repeating: 0, count: 7)
            for i in 0..<count {
                let w = gaussian(&rng)
                b[0] = 0.99886 * b[0] + w * 0.0555179
                b[1] = 0.99332 * b[1] + w * 0.0750759
                b[2] = 0.96900 * b[2] + w * 0.1538520
                b[3] = 0.86650 * b[3] + w * 0.3104856
                b[4] = 0.55000 * b[4] + w * 0.5329522
                b[5] = -0.7616 * b[5] - w * 0.0168980
                out[i] = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + w * 0.5362
                b[6] = w * 0.115926
            }
        case .brown:
            var y: Float = 0
            for i in 0..<count {
                y = 0.998 * y + 0.05 * gaussian(&rng)
                out[i] = y
            }
        case .hum:
            let mains = Bool.random(using: &rng) ? 50.0 : 60.0
            let phases = (0..<8).map { _ in Double.random(in: 0..<(2 * .pi), using: &rng) }
            for i in 0..<count {
                let t = Double(i) / Double(sampleRate)
                var v = 0.0
                for h in 1...8 where mains * Double(h) < Double(sampleRate) / 2 {
                    v += sin(2 * .pi * mains * Double(h) * t + phases[h - 1]) / Double(h)
                }
                out[i] = Float(v) + 0.02 * gaussian(&rng)
            }
        case .babble:
            preconditionFailure("babble is made from speech: use NoiseGenerator.babble(from:count:using:)")
        }
        return SignalLevel.scaled(out, toRMS: level)
    }

    /// Babble: `utterances` (mono, same rate) overlapped at random offsets and looped to `count` samples.
    public static func babble(from utterances: [[Float]], count: Int, using rng: inout some RandomNumberGenerator) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        for utterance in utterances where !utterance.isEmpty {
            let speech = SignalLevel.scaled(utterance, toRMS: -26)
            var position = Int.random(in: 0..<max(1, speech.count), using: &rng)
            for i in 0..<count {
                out[i] += speech[position]
                position = (position + 1) % speech.count
            }
        }
        return SignalLevel.scaled(out, toRMS: level)
    }

    /// A standard normal sample (Box-Muller).
    static func gaussian(_ rng: inout some RandomNumberGenerator) -> Float {
        let u1 = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &rng)
        let u2 = Double.random(in: 0..<1, using: &rng)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
}
