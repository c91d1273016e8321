import RealModule

/// An in-place radix-2 complex FFT in `Double` for power-of-two sizes, used for the correlations of BSS-Eval.
///
/// Not a general-purpose FFT (`DSP` has the FFTW plans in `Float`): BSS-Eval needs `Double` correlations of a few
/// signals per utterance, and a table-driven radix-2 transform is fast enough for that.
struct ComplexFFT {
    /// Transform size (a power of two).
    let count: Int
    private let cosines: [Double], sines: [Double]
    private let bitReversed: [Int]

    /// - Precondition: `count` is a power of two.
    init(count: Int) {
        precondition(count > 0 && count & (count - 1) == 0, "FFT size \(count) is not a power of two")
        self.count = count
        cosines = (0..<max(1, count / 2)).map { Double.cos(-2 * .pi * Double($0) / Double(count)) }
        sines = (0..<max(1, count / 2)).map { Double.sin(-2 * .pi * Double($0) / Double(count)) }
        var bits = 0
        while 1 << bits < count { bits += 1 }
        bitReversed = (0..<count).map { i in
            var r = 0
            for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
            return r
        }
    }

    /// The smallest power of two that is at least `n`.
    static func size(atLeast n: Int) -> Int {
        var size = 1
        while size < n { size <<= 1 }
        return size
    }

    /// Transforms `real`/`imaginary` (`[count]` each) in place: `X[k] = sum_t x[t] e^{-2πi kt/n}`, or with
    /// `inverse` the unnormalised inverse (`+i`); divide by `count` yourself.
    func transform(real: inout [Double], imaginary: inout [Double], inverse: Bool = false) {
        precondition(real.count == count && imaginary.count == count)
        let n = count
        real.withUnsafeMutableBufferPointer { reBuffer in
            imaginary.withUnsafeMutableBufferPointer { imBuffer in
                bitReversed.withUnsafeBufferPointer { revBuffer in
                    cosines.withUnsafeBufferPointer { cosBuffer in
                        sines.withUnsafeBufferPointer { sinBuffer in
                            // Raw pointers: no bounds checks in the debug-built tests either.
                            let re = reBuffer.baseAddress!, im = imBuffer.baseAddress!, rev = revBuffer.baseAddress!
                            let cs = cosBuffer.baseAddress!, sn = sinBuffer.baseAddress!
                            var i = 0
                            while i < n {
                                let j = rev[i]
                                if j > i {
                                    let r = re[i], m = im[i]
                                    re[i] = re[j]; im[i] = im[j]
                                    re[j] = r; im[j] = m
                                }
                                i += 1
                            }
                            let sign: Double = inverse ? -1 : 1
                            var half = 1
                            while half < n {
                                let stride = n / (2 * half)
                                var start = 0
                                while start < n {
                                    var k = 0
                                    while k < half {
                                        let wr = cs[k * stride], wi = sign * sn[k * stride]
                                        let a = start + k, b = a + half
                                        let tr = re[b] * wr - im[b] * wi
                                        let ti = re[b] * wi + im[b] * wr
                                        re[b] = re[a] - tr; im[b] = im[a] - ti
                                        re[a] += tr; im[a] += ti
                                        k += 1
                                    }
                                    start += 2 * half
                                }
                                half *= 2
                            }
                        }
                    }
                }
            }
        }
    }

    /// The spectrum of a real signal zero-padded to ``count``: `(real, imaginary)`, each `[count]`.
    func spectrum(of signal: [Double]) -> (real: [Double], imaginary: [Double]) {
        precondition(signal.count <= count)
        var re = signal + [Double](repeating: 0, count: count - signal.count)
        var im = [Double](repeating: 0, count: count)
        transform(real: &re, imaginary: &im)
        return (re, im)
    }

    /// Circular cross-correlation `r[k] = sum_t a[t + k] b[t]` (indices mod ``count``) from the spectra of `a` and
    /// `b`, `[count]`: lag `-k` is at `count - k`.
    func correlation(_ a: (real: [Double], imaginary: [Double]), _ b: (real: [Double], imaginary: [Double])) -> [Double] {
        // A * conj(B)
        var re = (0..<count).map { a.real[$0] * b.real[$0] + a.imaginary[$0] * b.imaginary[$0] }
        var im = (0..<count).map { a.imaginary[$0] * b.real[$0] - a.real[$0] * b.imaginary[$0] }
        transform(real: &re, imaginary: &im, inverse: true)
        let scale = 1 / Double(count)
        return re.map { $0 * scale }
    }
}
