import Foundation
import KeywordSpotting
import TensorCore

extension KWSConfiguration {
    /// A keyword spotter small enough for unit tests: 4 channels (width 40), 1 layer, 2 heads, bottleneck 12,
    /// projection 8 -> 6.
    public static func tiny(labels: [String] = ["a", "b", "c"]) -> KWSConfiguration {
        KWSConfiguration(labels: labels, convChannels: 4, normGroups: 2, layers: 1, heads: 2, feedForwardDimension: 16,
                         bottleneckDimension: 12, projectionHidden: 8, projectionDimension: 6, dropout: 0.1)
    }
}

/// 1 s at 16 kHz of a tone at `frequency` Hz (a random phase) with some seeded noise: `[16000]`.
public func noisyTone(_ frequency: Double, seed: UInt64, amplitude: Float = 0.3) -> [Float] {
    var rng = SplitMix64(seed: seed)
    let phase = Double(rng.nextUniform()) * 6
    return (0..<16_000).map { Float(sin(2 * Double.pi * frequency * Double($0) / 16_000 + phase)) * amplitude + 0.01 * rng.nextNormal() }
}
