import CKernels
import RealModule

// Activation functions and dropout. All preserve the shape.

extension Tensor {
    /// An activation through the C kernels (`sk_activation`, code 2 SiLU, 3 sigmoid), split over cores; the
    /// gradient (`sk_activation_gradient`) is computed from the saved input in one pass.
    private static func vectorActivation(_ x: Tensor, code: Int32) -> Tensor {
        let n = x.count
        let values = [Float](unsafeUninitializedCapacity: n) { out, filled in
            x.withUnsafeBufferPointer { px in
                let (src, dst) = (px.baseAddress!, out.baseAddress!)
                Threading.parallelFor(n) { r in sk_activation(src + r.lowerBound, dst + r.lowerBound, r.count, code) }
            }
            filled = n
        }
        let out = Tensor(values, shape: x.shape)
        if Autograd.shouldRecord(x) {
            out.record([x]) { g in
                let grad = [Float](unsafeUninitializedCapacity: n) { out, filled in
                    x.withUnsafeBufferPointer { px in
                        g.withUnsafeBufferPointer { pg in
                            let (src, gs, dst) = (px.baseAddress!, pg.baseAddress!, out.baseAddress!)
                            Threading.parallelFor(n) { r in
                                sk_activation_gradient(src + r.lowerBound, gs + r.lowerBound, dst + r.lowerBound, r.count, code)
                            }
                        }
                    }
                    filled = n
                }
                return [Tensor(grad, shape: x.shape)]
            }
        }
        return out
    }

    /// `max(x, 0)`.
    public func relu() -> Tensor {
        Tensor.unary(ReLUKernel(), self) { g, x, _ in Tensor.compare(x, g, SelectPositiveKernel()) }
    }

    /// `relu(x)²` (the squared ReLU of Primer / FLASH / MossFormer2 attention).
    public func squaredReLU() -> Tensor {
        Tensor.unary(SquaredReLUKernel(), self) { g, x, _ in Tensor.compare(x, g, SquaredReLUGradientKernel()) }
    }

    /// `1 / (1 + e^−x)`.
    public func sigmoid() -> Tensor {
        Tensor.vectorActivation(self, code: 3)
    }

    /// `tanh(x)`.
    public func tanh() -> Tensor {
        Tensor.unary(TanhKernel(), self) { g, _, y in Tensor.compare(y, g, TanhGradientKernel()) }
    }

    /// SiLU / swish: `x · sigmoid(x)`.
    public func silu() -> Tensor {
        Tensor.vectorActivation(self, code: 2)
    }

    /// GELU. Exact (erf) form `0.5·x·(1 + erf(x/√2))` by default, as PyTorch's `nn.GELU()`;
    /// `approximate: true` gives the tanh form (`nn.GELU(approximate="tanh")`).
    public func gelu(approximate: Bool = false) -> Tensor {
        if approximate {
            let c: Float = (2 / Float.pi).squareRoot()
            let inner = (self + self.pow(3) * 0.044715) * c
            return self * 0.5 * (inner.tanh() + 1)
        }
        return Tensor.unary(ClosureKernel { 0.5 * $0 * (1 + Float.erf($0 * 0.707_106_781_186_547_6)) }, self) { g, x, _ in
            let d = Elementwise.map(ClosureKernel { v in
                0.5 * (1 + Float.erf(v * 0.707_106_781_186_547_6)) + v * 0.398_942_280_401_432_7 * Float.exp(-0.5 * v * v)
            }, x)
            return g * Tensor(d, shape: x.shape)
        }
    }

    /// PReLU: `x` where positive, `slope · x` elsewhere. `slope` is `[1]` (one shared slope) or `[C]` (one per
    /// channel, channel axis 1 as in PyTorch: `x [B, C, ...]`).
    /// - Parameter slope: `[1]` or `[C]`.
    public func prelu(_ slope: Tensor) -> Tensor {
        precondition(slope.rank == 1, "prelu: slope must be [1] or [C], got \(slope.shape)")
        var a = slope
        if slope.count > 1 {
            precondition(rank >= 2 && shape[1] == slope.count, "prelu: \(slope.count) slopes for input \(shape) (channel axis 1)")
            var dims = [Int](repeating: 1, count: rank)
            dims[1] = slope.count
            a = slope.reshaped(dims)
        }
        return relu() - a * (-self).relu()
    }

    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by `1/(1−p)`.
    /// Identity when `p == 0` or in ``Autograd/withInferenceMode(_:)``.
    /// - Parameters:
    ///   - p: drop probability in `[0, 1)`.
    ///   - rng: the seeded generator that draws the mask.
    public func dropout(_ p: Float, using rng: inout SplitMix64) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout: p must be in [0, 1), got \(p)")
        if p == 0 || Autograd.isInferenceMode { return self }
        let keep = 1 / (1 - p)
        var mask = [Float](repeating: 0, count: count)
        for i in mask.indices { mask[i] = rng.nextUniform() >= p ? keep : 0 }
        return self * Tensor(mask, shape: shape)
    }
}
