/// Exact nearest-neighbour queries in the max-norm (Chebyshev distance `max_d |a_d - b_d|`) over the rows of a
/// ``SampleMatrix``.
///
/// The rows are sorted on their first coordinate. A query sweeps outward from the row's own place and stops once the
/// first coordinate alone is farther than what it looks for, so only a slab of rows is ever compared: for one or two
/// dimensions a small fraction of `n`, for many dimensions close to brute force (`O(n²d)`), which is fine up to
/// `n` of a few thousand.
struct ChebyshevNeighborSearch {
    /// Number of rows `n`.
    let rows: Int
    /// Dimension `d`.
    let columns: Int
    /// The rows, sorted on their first coordinate: `[n, d]` row-major.
    private let sorted: [Double]
    /// The first coordinates of `sorted`: `[n]`, ascending.
    private let keys: [Double]
    /// The original row at each sorted place: `[n]`.
    private let order: [Int]

    /// Indexes the rows of `points`.
    init(_ points: SampleMatrix) {
        rows = points.rows
        columns = points.columns
        order = (0..<points.rows).sorted { points[$0, 0] < points[$1, 0] }
        let sortedMatrix = points.selectingRows(order)
        sorted = sortedMatrix.values
        keys = (0..<points.rows).map { sortedMatrix[$0, 0] }
    }

    /// The distance from each row to its `k`-th nearest other row.
    /// - Parameters:
    ///   - k: neighbours (1 ≤ k < n).
    ///   - workers: threads.
    /// - Returns: `[n]` distances, in the rows' original order.
    func kthNeighborDistances(k: Int, workers: Int) -> [Double] {
        precondition(k >= 1 && k < rows, "k must be in 1..<n")
        var result = [Double](repeating: 0, count: rows)
        let n = rows, d = columns
        sorted.withUnsafeBufferPointer { points in
            order.withUnsafeBufferPointer { order in
                result.withUnsafeMutableBufferPointer { output in
                    let out = SendableBox(output)
                    let sources = SendableBox((points, order))
                    parallelRows(count: n, workers: workers) { range in
                        let (s, order) = sources.value
                        let best = UnsafeMutableBufferPointer<Double>.allocate(capacity: k)
                        defer { best.deallocate() }
                        for p in range {
                            for slot in 0..<k { best[slot] = .infinity }
                            let base = p * d, key = s[base]
                            var low = p - 1, high = p + 1
                            while true {
                                let lowGap = low >= 0 ? key - s[low * d] : Double.infinity
                                let highGap = high < n ? s[high * d] - key : Double.infinity
                                let fromLow = lowGap <= highGap
                                let gap = fromLow ? lowGap : highGap
                                var worst = best[k - 1]
                                if gap >= worst { break }
                                let j = fromLow ? low : high
                                if fromLow { low -= 1 } else { high += 1 }
                                var distance = gap
                                let other = j * d
                                var c = 1
                                while c < d {
                                    let difference = abs(s[other + c] - s[base + c])
                                    if difference > distance {
                                        distance = difference
                                        if distance >= worst { break }
                                    }
                                    c += 1
                                }
                                if distance < worst {
                                    var slot = k - 1
                                    while slot > 0 && best[slot - 1] > distance {
                                        best[slot] = best[slot - 1]
                                        slot -= 1
                                    }
                                    best[slot] = distance
                                    worst = best[k - 1]
                                }
                            }
                            out.value[order[p]] = best[k - 1]
                        }
                    }
                }
            }
        }
        return result
    }

    /// The number of other rows within `radii[i]` of each row `i`.
    /// - Parameters:
    ///   - radii: `[n]` radii, in the rows' original order.
    ///   - inclusive: count rows at distance `≤ radius` (else only `< radius`, as KSG's estimator 1 does).
    ///   - workers: threads.
    /// - Returns: `[n]` counts (the row itself excluded), in the rows' original order.
    func counts(within radii: [Double], inclusive: Bool, workers: Int) -> [Int] {
        precondition(radii.count == rows, "one radius per row")
        var result = [Int](repeating: 0, count: rows)
        let n = rows, d = columns
        sorted.withUnsafeBufferPointer { points in
            keys.withUnsafeBufferPointer { keys in
                order.withUnsafeBufferPointer { order in
                    radii.withUnsafeBufferPointer { radii in
                        result.withUnsafeMutableBufferPointer { output in
                            let out = SendableBox(output)
                            let sources = SendableBox((points, keys, order, radii))
                            parallelRows(count: n, workers: workers) { range in
                                let (s, keys, order, radii) = sources.value
                                for p in range {
                                    let radius = radii[order[p]], key = keys[p]
                                    @inline(__always) func inside(_ distance: Double) -> Bool {
                                        inclusive ? distance <= radius : distance < radius
                                    }
                                    // First place whose gap to the left is inside: gaps shrink towards p.
                                    var lo = 0, hi = p
                                    while lo < hi {
                                        let mid = (lo + hi) / 2
                                        if inside(key - keys[mid]) { hi = mid } else { lo = mid + 1 }
                                    }
                                    let start = lo
                                    // First place to the right whose gap is outside.
                                    lo = p + 1
                                    hi = n
                                    while lo < hi {
                                        let mid = (lo + hi) / 2
                                        if inside(keys[mid] - key) { lo = mid + 1 } else { hi = mid }
                                    }
                                    let end = lo
                                    var count = 0
                                    if d == 1 {
                                        count = end - start - (p >= start ? 1 : 0)
                                    } else {
                                        let base = p * d
                                        for j in start..<end where j != p {
                                            let other = j * d
                                            var c = 1
                                            var isInside = true
                                            while c < d {
                                                if !inside(abs(s[other + c] - s[base + c])) {
                                                    isInside = false
                                                    break
                                                }
                                                c += 1
                                            }
                                            if isInside { count += 1 }
                                        }
                                    }
                                    out.value[order[p]] = count
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
