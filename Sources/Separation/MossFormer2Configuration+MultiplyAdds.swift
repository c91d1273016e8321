/// The multiply-adds of one MossFormer2 block over `S` frames as a function of its prunable widths: `E` (the width
/// of `v` and of `u`), `Q` (query/key) and `H` (the FSMN unit's hidden width), with `D`, `F`, the kernels and the
/// group length fixed: `constant + perHidden·E + perQueryKey·Q + perPair·Q·E + perFSMNHidden·H` (``value(hidden:queryKey:fsmnHidden:)``).
///
/// Counted (the GEMM-shaped work): attention `to_hidden` `D→2E`, `to_qk` `D→Q`, `to_out` `E→D`, their depthwise
/// convs (`K·(2E + Q + D)`), the quadratic attention over padded groups of `g` frames (`q·kᵀ`: `g·Q`, `A·[v|u]`:
/// `2·g·E` per padded frame), the linear attention (`4·Q·E` per frame); FSMN: the 1×1 convs `D→F`, `F→D`,
/// to_u/to_v `2F²`, `linear` `F→H` and `project` `H→F`, their depthwise convs `2·K·F` and the dilated memory
/// `(2L−1)·3F`.
public struct MossFormer2BlockCost: Sendable, Equatable {
    public var constant: Double
    public var perHidden: Double
    public var perQueryKey: Double
    public var perPair: Double
    public var perFSMNHidden: Double

    /// Coefficients given directly.
    public init(constant: Double, perHidden: Double, perQueryKey: Double, perPair: Double, perFSMNHidden: Double) {
        (self.constant, self.perHidden, self.perQueryKey, self.perPair, self.perFSMNHidden) = (constant, perHidden, perQueryKey, perPair, perFSMNHidden)
    }

    /// The coefficients of `configuration`'s blocks over `frames` frames.
    public init(configuration c: MossFormer2Configuration, frames: Int) {
        let s = Double(frames), d = Double(c.mossformerSequenceDim), f = Double(c.fsmnInnerChannels)
        let k = Double(c.convKernelSize), g = Double(c.groupSize), padded = (s / g).rounded(.up) * g
        constant = s * k * d                                                           // to_out's depthwise conv
            + s * (2 * d * f + 2 * f * f) + s * 2 * k * f + s * Double(2 * c.fsmnLorder - 1) * 3 * f
        perHidden = s * 3 * d + s * 2 * k + 2 * padded * g
        perQueryKey = s * d + s * k + padded * g
        perPair = 4 * s
        perFSMNHidden = 2 * s * f
    }

    /// The multiply-adds of a block with these widths.
    public func value(hidden e: Double, queryKey q: Double, fsmnHidden h: Double) -> Double {
        constant + perHidden * e + perQueryKey * q + perPair * q * e + perFSMNHidden * h
    }
}

extension MossFormer2Configuration {
    /// Multiply-adds of the encoder, the mask network's input and output stages and the decoder over `samples`
    /// samples: everything but the blocks.
    public func headMultiplyAdds(samples: Int) -> Double {
        let s = Double(frameCount(samples: samples)), n = Double(encoderEmbeddingDim), d = Double(mossformerSequenceDim)
        let c = Double(numSpks), k = Double(encoderKernelSize)
        return s * (n * d + d * c * d + c * (2 * d * d + d * n)) + 2 * s * n * k * (1 + c) / 2
    }

    /// Multiply-adds of one forward pass over `samples` samples (the GEMM-shaped work: encoder, projections, attention,
    /// FSMN, output convs, decoder; ``MossFormer2BlockCost`` per block with its own widths), for GFLOP/s figures
    /// and `inspect`. FLOPs = 2 × MACs.
    public func multiplyAdds(samples: Int) -> Double {
        let cost = MossFormer2BlockCost(configuration: self, frames: frameCount(samples: samples))
        let blocks = (0..<numMossformerLayer).map {
            cost.value(hidden: Double(attentionHiddenDim(block: $0)), queryKey: Double(queryKeyDim(block: $0)),
                       fsmnHidden: Double(fsmnHiddenDim(block: $0)))
        }
        return blocks.reduce(0, +) + headMultiplyAdds(samples: samples)
    }
}
