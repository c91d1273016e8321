import TensorCore

/// A codebook of acoustic units: `K` centroids of `M`-dimensional feature frames, fitted by k-means (k-means++
/// seeding, then Lloyd iterations), and the nearest-centroid unit of any frame. These units are the discrete targets
/// of masked-unit pretraining, as HuBERT's first iteration clusters MFCC frames.
///
/// ```swift
/// let codebook = AcousticUnitCodebook.fit(frames: x, count: 100, seed: 1)   // x [N, 40] normalized log-mel frames
/// let units = codebook.assign(y)                                            // y [F, 40] -> F units in 0..<100
/// ```
public struct AcousticUnitCodebook {
    /// The centroids `[K, M]`.
    public let centroids: Tensor

    /// A codebook with the given centroids `[K, M]`.
    public init(centroids: Tensor) {
        precondition(centroids.rank == 2 && centroids.shape[0] >= 1, "AcousticUnitCodebook: centroids must be [K, M], got \(centroids.shape)")
        self.centroids = centroids
    }

    /// Units `K`.
    public var count: Int { centroids.shape[0] }

    /// Frame width `M`.
    public var dimension: Int { centroids.shape[1] }

    /// The nearest centroid (Euclidean) of each frame: `[N, M] -> N` indices in `0..<K`.
    public func assign(_ frames: Tensor) -> [Int] {
        precondition(frames.rank == 2 && frames.shape[1] == dimension, "AcousticUnitCodebook.assign: frames must be [N, \(dimension)], got \(frames.shape)")
        return Autograd.withNoGrad {
            // argmin ‖x − c‖² = argmax (x·c − ‖c‖²/2)
            let halfNorms = centroids.squared().sum(axis: -1) * 0.5                       // [K]
            return (Tensor.matmul(frames.detached(), centroids, transposeB: true) - halfNorms).argmax(axis: 1)
        }
    }

    /// Fits `count` centroids to `frames`.
    /// - Parameters:
    ///   - frames: `[N, M]`, `N >= count`.
    ///   - count: units `K`.
    ///   - iterations: Lloyd iterations after seeding (fewer when the assignment stops changing).
    ///   - seed: seeds k-means++ and the re-seeding of a unit that loses all its frames.
    public static func fit(frames: Tensor, count: Int, iterations: Int = 20, seed: UInt64) -> AcousticUnitCodebook {
        precondition(frames.rank == 2 && frames.shape[0] >= count && count >= 1, "AcousticUnitCodebook.fit: need [N >= \(count), M] frames, got \(frames.shape)")
        let (n, m) = (frames.shape[0], frames.shape[1])
        let x = frames.detached().withUnsafeBufferPointer { Array($0) }
        var rng = SplitMix64(seed: seed)
        var centers = seeded(x, n: n, m: m, count: count, using: &rng)
        var previous: [Int] = []
        for _ in 0..<iterations {
            let units = AcousticUnitCodebook(centroids: Tensor(centers, shape: [count, m])).assign(frames)
            if units == previous { break }
            previous = units
            var sums = [Float](repeating: 0, count: count * m), sizes = [Int](repeating: 0, count: count)
            for i in 0..<n {
                sizes[units[i]] += 1
                for d in 0..<m { sums[units[i] * m + d] += x[i * m + d] }
            }
            for k in 0..<count {
                if sizes[k] == 0 {
                    let i = Int(rng.next() % UInt64(n))          // an empty unit restarts at a random frame
                    for d in 0..<m { centers[k * m + d] = x[i * m + d] }
                } else {
                    for d in 0..<m { centers[k * m + d] = sums[k * m + d] / Float(sizes[k]) }
                }
            }
        }
        return AcousticUnitCodebook(centroids: Tensor(centers, shape: [count, m]))
    }

    /// k-means++ seeding: the first centroid is a random frame, each next one a frame drawn with probability
    /// proportional to its squared distance from the nearest centroid so far. Returns `[count · m]`.
    private static func seeded(_ x: [Float], n: Int, m: Int, count: Int, using rng: inout SplitMix64) -> [Float] {
        var centers = [Float](), nearest = [Float](repeating: .infinity, count: n)
        var chosen = Int(rng.next() % UInt64(n))
        for _ in 0..<count {
            centers += x[(chosen * m)..<((chosen + 1) * m)]
            var total = 0.0
            for i in 0..<n {
                var d: Float = 0
                for j in 0..<m { let e = x[i * m + j] - x[chosen * m + j]; d += e * e }
                nearest[i] = min(nearest[i], d)
                total += Double(nearest[i])
            }
            guard total > 0 else { continue }
            var target = Double(rng.next() >> 11) / Double(1 << 53) * total
            chosen = n - 1
            for i in 0..<n {
                target -= Double(nearest[i])
                if target <= 0 { chosen = i; break }
            }
        }
        return centers
    }
}
