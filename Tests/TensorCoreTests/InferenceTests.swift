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
