// Elementwise ops with NumPy broadcasting, and their gradient rules.
// A binary op's gradient is summed over the axes its input was broadcast along.

extension Tensor {
    /// Applies a unary kernel and records `rule(gradOut, input, outStorage)` as the gradient.
    package static func unary<K: UnaryKernel>(
        _ k: K, _ x: Tensor, _ rule: @escaping (_ g: Tensor, _ x: Tensor, _ out: Tensor) -> Tensor
    ) -> Tensor {
        let out = Tensor(Elementwise.map(k, x), shape: x.shape)
        if Autograd.shouldRecord(x) {
            let storage = out.storage, shape = out.shape
            out.record([x]) { g in [rule(g, x, Tensor(storage: storage, shape: shape))] }
        }
        return out
    }

    /// Applies a broadcasting binary kernel and records the two (unreduced) gradients from `rule`.
    package static func binary<K: BinaryKernel>(
        _ k: K, _ a: Tensor, _ b: Tensor,
        _ rule: @escaping (_ g: Tensor, _ a: Tensor, _ b: Tensor, _ out: Tensor) -> (Tensor?, Tensor?)
    ) -> Tensor {
        let (values, shape) = Elementwise.binary(k, a, b)
        let out = Tensor(values, shape: shape)
        if Autograd.shouldRecord(a, b) {
            let storage = out.storage
            out.record([a, b]) { g in
                let (ga, gb) = rule(g, a, b, Tensor(storage: storage, shape: shape))
                return [
                    a.requiresGrad ? ga?.summed(toShape: a.shape) : nil,
                    b.requiresGrad ? gb?.summed(toShape: b.shape) : nil,
                ]
            }
        }
        return out
    }

    /// `a + b`, broadcasting. Shapes: any two broadcastable shapes -> their broadcast.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        binary(AddKernel(), a, b) { g, _, _, _ in (g, g) }
    }

    /// `a - b`, broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        binary(SubKernel(), a, b) { g, _, _, _ in (g, -g) }
    }

    /// `a * b` (elementwise), broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        binary(MulKernel(), a, b) { g, a, b, _ in (a.requiresGrad ? g * b : nil, b.requiresGrad ? g * a : nil) }
    }

    /// `a / b` (elementwise), broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        binary(DivKernel(), a, b) { g, a, b, out in
            (a.requiresGrad ? g / b : nil, b.requiresGrad ? -(g * out) / b : nil)
        }
    }

    /// `a + s`.
    public static func + (a: Tensor, s: Float) -> Tensor { a + Tensor(s) }
    /// `s + a`.
    public static func + (s: Float, a: Tensor) -> Tensor { Tensor(s) + a }
    /// `a - s`.
    public static func - (a: Tensor, s: Float) -> Tensor { a + Tensor(-s) }
    /// `s - a`.
    public static func - (s: Float, a: Tensor) -> Tensor { Tensor(s) - a }
    /// `a * s`.
    public static func * (a: Tensor, s: Float) -> Tensor { a * Tensor(s) }
    /// `s * a`.
    public static func * (s: Float, a: Tensor) -> Tensor { Tensor(s) * a }
    /// `a / s`.
    public static func / (a: Tensor, s: Float) -> Tensor { a * Tensor(1 / s) }
    /// `s / a`.
    public static func / (s: Float, a: Tensor) -> Tensor { Tensor(s) / a }

    /// `-x`. Shape preserved.
    public static prefix func - (x: Tensor) -> Tensor {
        unary(NegKernel(), x) { g, _, _ in -g }
    }

    /// `a^b` elementwise (both tensors), broadcasting; `a` should be positive where `b` is not an integer.
    /// - Parameters:
    ///   - a: the base.
    ///   - b: the exponent.
    public static func pow(_ a: Tensor, _ b: Tensor) -> Tensor {
        binary(PowKernel(), a, b) { g, a, b, out in
            (a.requiresGrad ? g * b * Tensor.pow(a, b - 1) : nil, b.requiresGrad ? g * out * a.log() : nil)
        }
    }

    /// The elementwise maximum, broadcasting (ties send the gradient to `a`).
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        binary(MaxKernel(), a, b) { g, a, b, _ in
            let mask = Tensor.compare(a, b, GreaterEqualKernel())
            return (g * mask, g * (1 - mask))
        }
    }

    /// The elementwise minimum, broadcasting (ties send the gradient to `a`).
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        binary(MinKernel(), a, b) { g, a, b, _ in
            let mask = Tensor.compare(b, a, GreaterEqualKernel())
            return (g * mask, g * (1 - mask))
        }
    }

    /// A 0/1 mask from a comparison kernel (no gradient).
    package static func compare<K: BinaryKernel>(_ a: Tensor, _ b: Tensor, _ k: K) -> Tensor {
        let (values, shape) = Elementwise.binary(k, a, b)
        return Tensor(values, shape: shape)
    }

    /// `1` where `a > b`, else `0`, broadcasting (no gradient).
    public static func greater(_ a: Tensor, _ b: Tensor) -> Tensor { compare(a, b, GreaterKernel()) }

    /// Picks `a` where `condition != 0`, else `b`; all three broadcast to one shape.
    /// - Parameters:
    ///   - condition: the mask (any shape broadcastable with `a` and `b`); it gets no gradient.
    ///   - a: values where the mask is set.
    ///   - b: values where the mask is zero.
    /// - Returns: the broadcast of the three shapes.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let mask = condition.withUnsafeBufferPointer { c in Tensor(c.map { $0 != 0 ? 1 : 0 }, shape: condition.shape) }
        let notMask = 1 - mask
        let (pa, sa) = Elementwise.binary(SelectKernel(), mask, a)
        let (pb, sb) = Elementwise.binary(SelectKernel(), notMask, b)
        let (values, shape) = Elementwise.binary(AddKernel(), Tensor(pa, shape: sa), Tensor(pb, shape: sb))
        let out = Tensor(values, shape: shape)
        if Autograd.shouldRecord(a, b) {
            out.record([a, b]) { g in
                let ga = Tensor.compare(mask, g, SelectKernel())
                let gb = Tensor.compare(notMask, g, SelectKernel())
                return [
                    a.requiresGrad ? ga.summed(toShape: a.shape) : nil,
                    b.requiresGrad ? gb.summed(toShape: b.shape) : nil,
                ]
            }
        }
        return out
    }

    /// `e^x`. Shape preserved.
    public func exp() -> Tensor { Tensor.unary(ExpKernel(), self) { g, _, out in g * out } }

    /// The natural logarithm. Shape preserved.
    public func log() -> Tensor { Tensor.unary(LogKernel(), self) { g, x, _ in g / x } }

    /// The square root. Shape preserved.
    public func sqrt() -> Tensor { Tensor.unary(SqrtKernel(), self) { g, _, out in g * 0.5 / out } }

    /// `1 / sqrt(x)`. Shape preserved.
    public func rsqrt() -> Tensor {
        Tensor.unary(RsqrtKernel(), self) { g, _, out in g * (out * out * out) * -0.5 }
    }

    /// `|x|` (gradient `sign(x)`, 0 at 0). Shape preserved.
    public func abs() -> Tensor {
        Tensor.unary(AbsKernel(), self) { g, x, _ in g * Tensor(Elementwise.map(SignKernel(), x), shape: x.shape) }
    }

    /// `x²`. Shape preserved.
    public func squared() -> Tensor { Tensor.unary(SquareKernel(), self) { g, x, _ in g * x * 2 } }

    /// `x^p` for a scalar exponent. Shape preserved.
    /// - Parameter p: the exponent.
    public func pow(_ p: Float) -> Tensor {
        Tensor.unary(PowScalarKernel(p), self) { g, x, _ in g * x.pow(p - 1) * p }
    }

    /// Clamps into `[min, max]`; the gradient passes where `min <= x <= max` (as in PyTorch).
    /// - Parameters:
    ///   - min: the lower bound (`-infinity` for none).
    ///   - max: the upper bound (`+infinity` for none).
    public func clamped(min: Float = -.infinity, max: Float = .infinity) -> Tensor {
        Tensor.unary(ClampKernel(min, max), self) { g, x, _ in
            g * Tensor(Elementwise.map(InRangeKernel(min, max), x), shape: x.shape)
        }
    }
}
