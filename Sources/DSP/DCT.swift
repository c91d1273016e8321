import Foundation
import RealModule

/// Orthonormal DCT-II (scipy `dct(x, type=2, norm="ortho")`), keeping the first `outputCount` coefficients:
/// `[inputCount] -> [outputCount]`.
public struct DCT: Sendable, Equatable {
    /// Input length.
    public let inputCount: Int
    /// Coefficients kept.
    public let outputCount: Int
    /// Row-major basis, `[outputCount, inputCount]`.
    private let basis: [Float]

    /// - Precondition: `1 <= outputCount <= inputCount`.
    public init(inputCount: Int, outputCount: Int) {
        precondition(inputCount >= 1 && (1...inputCount).contains(outputCount))
        self.inputCount = inputCount
        self.outputCount = outputCount
        let n = Double(inputCount)
        var basis = [Float](repeating: 0, count: outputCount * inputCount)
        for k in 0..<outputCount {
            let scale = k == 0 ? (1 / n).squareRoot() : (2 / n).squareRoot()
            for i in 0..<inputCount {
                basis[k * inputCount + i] = Float(scale * cos(Double.pi * Double(k) * (2 * Double(i) + 1) / (2 * n)))
            }
        }
        self.basis = basis
    }

    /// `output [outputCount] = DCT(input [inputCount])[0..<outputCount]`.
    public func apply(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(input.count >= inputCount && output.count >= outputCount)
        withApply { apply in apply(input.baseAddress!, output.baseAddress!) }
    }

    /// Runs `body` with a function `(input [inputCount], output [outputCount])` for hot loops (no reference
    /// counting per call).
    package func withApply<R>(_ body: ((UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> R) -> R {
        basis.withUnsafeBufferPointer { b in
            let inputCount = inputCount, outputCount = outputCount, b = b.baseAddress!
            return body { input, output in
                for k in 0..<outputCount {
                    var sum: Float = 0
                    for i in 0..<inputCount { sum = Relaxed.multiplyAdd(b[k * inputCount + i], input[i], sum) }
                    output[k] = sum
                }
            }
        }
    }
}
