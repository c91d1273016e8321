import COpenBLAS

/// The principal components of the rows of a ``SampleMatrix``: the eigenvectors of its covariance matrix, by
/// decreasing variance (LAPACK `dsyev` through OpenBLAS).
///
/// The covariance is of the data as given (not of standardized columns), so directions of small variance, where
/// nuisance noise often lives, are the ones dropped.
struct PrincipalComponents {
    /// Dimension `d`.
    let dimension: Int
    /// Column means `[d]`.
    let mean: [Double]
    /// Variance along each axis, decreasing: `[d]` (the covariance's eigenvalues).
    let variances: [Double]
    /// Unit axes, one per row, in the order of `variances`: `[d, d]` row-major.
    let axes: [Double]

    /// Decomposes the covariance of `points` `[n, d]`.
    /// - Throws: ``InformationTheoryError/eigenDecompositionFailed(info:)`` when LAPACK reports a failure.
    init(_ points: SampleMatrix) throws(InformationTheoryError) {
        let n = points.rows, d = points.columns
        dimension = d
        var mean = [Double](repeating: 0, count: d)
        for row in 0..<n { for c in 0..<d { mean[c] += points[row, c] } }
        for c in 0..<d { mean[c] /= Double(max(n, 1)) }
        self.mean = mean
        let centred = Self.centred(points, mean: mean)
        // Covariance [d, d] = centredᵀ centred / (n - 1).
        var covariance = [Double](repeating: 0, count: d * d)
        cblas_dgemm(
            CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(d), Int32(n), 1 / Double(max(n - 1, 1)), centred,
            Int32(d), centred, Int32(d), 0, &covariance, Int32(d))
        var eigenvalues = [Double](repeating: 0, count: d)
        var order = Int32(d), leading = Int32(d), info: Int32 = 0
        var workSize = Int32(-1), optimal = 0.0
        let jobz = Int8(UInt8(ascii: "V")), uplo = Int8(UInt8(ascii: "U"))
        withUnsafePointer(to: jobz) { jobz in
            withUnsafePointer(to: uplo) { uplo in
                dsyev_(jobz, uplo, &order, &covariance, &leading, &eigenvalues, &optimal, &workSize, &info, 1, 1)
                var work = [Double](repeating: 0, count: max(Int(optimal), 3 * d))
                workSize = Int32(work.count)
                dsyev_(jobz, uplo, &order, &covariance, &leading, &eigenvalues, &work, &workSize, &info, 1, 1)
            }
        }
        guard info == 0 else { throw .eigenDecompositionFailed(info: info) }
        // Column j of the column-major result (row j of the buffer) is the axis of the j-th smallest eigenvalue.
        variances = eigenvalues.reversed().map { max($0, 0) }
        axes = (0..<d).reversed().flatMap { covariance[$0 * d..<($0 + 1) * d] }
    }

    /// The fewest leading components whose variances reach `fraction` of the total, at most `cap` (and at most `d`).
    func componentCount(keeping fraction: Double, cap: Int) -> Int {
        let total = variances.reduce(0, +)
        guard total > 0 else { return 1 }
        var kept = 0.0
        for (index, variance) in variances.enumerated() {
            kept += variance
            if kept >= fraction * total || index + 1 >= cap { return index + 1 }
        }
        return min(cap, dimension)
    }

    /// The coordinates of `points` `[n, d]` on the first `count` axes (after subtracting the mean): `[n, count]`.
    func projected(_ points: SampleMatrix, components count: Int) -> SampleMatrix {
        precondition(points.columns == dimension && (1...dimension).contains(count))
        let n = points.rows, d = dimension
        let centred = Self.centred(points, mean: mean)
        var coordinates = [Double](repeating: 0, count: n * count)
        axes.withUnsafeBufferPointer { axes in
            cblas_dgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(count), Int32(d), 1, centred, Int32(d),
                axes.baseAddress, Int32(d), 0, &coordinates, Int32(count))
        }
        return SampleMatrix(rows: n, columns: count, values: coordinates)
    }

    private static func centred(_ points: SampleMatrix, mean: [Double]) -> [Double] {
        var values = points.values
        let d = points.columns
        for index in values.indices { values[index] -= mean[index % d] }
        return values
    }
}
