import Testing
import TensorCore
import TestSupport

@Suite("Inference kernels agree with the autograd ops")
struct InferenceTests {
    @Test(arguments: FusedActivation.allCases)
    func fusedLinearMatchesTensorOps(_ activation: FusedActivation) {
        var rng = SplitMix64(seed: 1)
        // 300 rows x 64 -> 96: large enough to take the row-split path.
        let x = Tensor.randomNormal([3, 100, 64], using: &rng)
        let w = Tensor.randomNormal([96, 64], standardDeviation: 0.2, using: &rng)
        let b = Tensor.randomNormal([96], using: &rng)
        let out = Tensor.zeros([3, 100, 96])
        Inference.linear(x, weight: w, bias: b, activation: activation, into: out)
        let y = Tensor.linear(x, weight: w, bias: b)
        let expected: Tensor
        switch activation {
        case .identity: expected = y
        case .relu: expected = y.relu()
        case .silu: expected = y.silu()
        case .sigmoid: expected = y.sigmoid()
        case .squaredReLU: expected = y.squaredReLU()
        }
        #expect(TensorAssertions.maxRelativeError(out.scalars, expected.scalars) < 1e-5)
    }

    /// 20 channels: one 16-lane group and a narrow tail; 100: two 64-channel chunks. 61 and 150 frames: register
    /// blocks of 8 frames, a tile's tail frames, and more than one 64-frame tile.
    @Test(arguments: [(1, 17, false, 20, 61), (2, 39, true, 20, 61), (1, 3, true, 20, 61), (1, 17, true, 100, 150)])
    func depthwiseFramesFirstMatchesConv1d(_ dilation: Int, _ taps: Int, _ residual: Bool, _ channels: Int, _ frames: Int) {
        var rng = SplitMix64(seed: 2)
        let x = Tensor.randomNormal([2, channels, frames], using: &rng)
        let w = Tensor.randomNormal([channels, 1, taps], using: &rng)
        let pad = dilation * (taps - 1) / 2
        var expected = Tensor.conv1d(x, weight: w, padding: (pad, pad), dilation: dilation, groups: channels)
        if residual { expected = expected + x }
        let out = Tensor.zeros([2, frames, channels])
        Inference.depthwiseConvFramesFirst(x.transposed(1, 2), tapsFirstWeight: Inference.tapsFirst(w), dilation: dilation,
                                           residual: residual, into: out)
        #expect(TensorAssertions.maxRelativeError(out.scalars, expected.transposed(1, 2).scalars) < 1e-5)
    }

    /// The fused Linear -> SiLU -> depthwise conv against the tensor ops. Tiles of 16 rows make each worker's window
    /// slide many times; 300 rows of 64 -> 112 split over the workers (112 channels: a 64-channel chunk and a tail
    /// of three 16-lane groups); 17 taps at dilation 1 take the register-resident weights path, 5 taps at dilation 2
    /// the general one; 40 rows of 1,200 features are too few to split; 7 rows are fewer than the taps reach.
    @Test(arguments: [
        (300, 112, 17, 1, true, false, 16), (300, 112, 17, 1, true, true, 16), (300, 112, 5, 2, true, false, 16),
        (300, 112, 17, 1, false, true, nil), (61, 40, 17, 1, true, false, nil), (40, 1200, 17, 1, true, false, 8),
        (7, 20, 17, 1, true, true, nil),
    ] as [(Int, Int, Int, Int, Bool, Bool, Int?)])
    func fusedLinearDepthwiseMatchesTensorOps(
        _ rows: Int, _ outFeatures: Int, _ taps: Int, _ dilation: Int, _ residual: Bool, _ accumulate: Bool, _ tile: Int?
    ) {
        var rng = SplitMix64(seed: 3)
        let inFeatures = 64
        let x = Tensor.randomNormal([rows, inFeatures], using: &rng)
        let w = Tensor.randomNormal([outFeatures, inFeatures], standardDeviation: 0.2, using: &rng)
        let b = Tensor.randomNormal([outFeatures], using: &rng)
        let dw = Tensor.randomNormal([outFeatures, 1, taps], standardDeviation: 0.3, using: &rng)
        let initial = Tensor.randomNormal([rows, outFeatures], using: &rng)
        let h = Tensor.linear(x, weight: w, bias: b).silu()                                   // [T, out]
        let pad = dilation * (taps - 1) / 2
        let conv = Tensor.conv1d(h.transposed(0, 1).reshaped([1, outFeatures, rows]), weight: dw, padding: (pad, pad),
                                 dilation: dilation, groups: outFeatures).reshaped([outFeatures, rows]).transposed(0, 1)
        var expected = conv
        if residual { expected = expected + h }
        if accumulate { expected = expected + initial }
        let out = Tensor(initial.scalars, shape: [rows, outFeatures]), hidden = Tensor.zeros([rows, outFeatures])
        let tapsFirst = Inference.tapsFirst(dw)
        x.withUnsafeBufferPointer { px in
            w.withUnsafeBufferPointer { pw in
                b.withUnsafeBufferPointer { pb in
                    tapsFirst.withUnsafeBufferPointer { pt in
                        hidden.withUnsafeMutableBufferPointer { ph in
                            out.withUnsafeMutableBufferPointer { po in
                                Inference.linearDepthwise(
                                    px.baseAddress!, lda: inFeatures, weight: pw.baseAddress!, bias: pb.baseAddress!,
                                    activation: .silu, tapsFirst: pt.baseAddress!, taps: taps, dilation: dilation,
                                    residual: residual, accumulate: accumulate, hidden: ph.baseAddress!, into: po.baseAddress!,
                                    rows: rows, inFeatures: inFeatures, outFeatures: outFeatures, tile: tile)
                            }
                        }
                    }
                }
            }
        }
        #expect(TensorAssertions.maxRelativeError(out.scalars, expected.scalars) < 1e-5)
    }

    @Test func fastExpIsAccurate() {
        let x = Tensor((0..<2001).map { Float($0 - 1000) / 20 }, shape: [2001])
        let fast = x.silu().scalars
        for (v, f) in zip(x.scalars, fast) {
            let exact = Double(v) / (1 + Foundation.exp(-Double(v)))
            #expect(Swift.abs(Double(f) - exact) <= 2e-6 * Swift.max(1, Swift.abs(exact)))
        }
    }
}

import Foundation
