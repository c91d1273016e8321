/// Samples of one continuous variable: `[rows, columns]` in row-major (C) order, one sample per row, in `Double`.
public struct SampleMatrix: Sendable, Equatable {
    /// Number of samples `n`.
    public let rows: Int
    /// Dimension `d` of each sample.
    public let columns: Int
    /// The `rows * columns` values, row after row.
    public private(set) var values: [Double]

    /// Wraps row-major values.
    /// - Parameters:
    ///   - rows: number of samples `n`.
    ///   - columns: dimension `d` (at least 1).
    ///   - values: `[n * d]` values in C order.
    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(rows >= 0 && columns >= 1 && values.count == rows * columns, "values must hold rows * columns numbers")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Converts row-major `Float` values `[rows * columns]`.
    public init(rows: Int, columns: Int, converting values: [Float]) {
        self.init(rows: rows, columns: columns, values: values.map(Double.init))
    }

    /// Builds a matrix from its rows `[n][d]` (all of the same length).
    public init(rowArrays: [[Double]]) {
        let columns = rowArrays.first?.count ?? 1
        precondition(rowArrays.allSatisfy { $0.count == columns }, "rows of different lengths")
        self.init(rows: rowArrays.count, columns: columns, values: rowArrays.flatMap { $0 })
    }

    /// The value at `row`, `column`.
    public subscript(row: Int, column: Int) -> Double { values[row * columns + column] }

    /// The first non-finite value's position, or `nil` when all values are finite.
    public var firstNonFinite: (row: Int, column: Int)? {
        guard let index = values.firstIndex(where: { !$0.isFinite }) else { return nil }
        return (index / columns, index % columns)
    }

    /// This matrix with each column shifted to mean 0 and scaled to standard deviation 1 (constant columns only shifted).
    public func standardized() -> SampleMatrix {
        var result = self
        let n = Double(rows)
        for column in 0..<columns {
            var mean = 0.0
            for row in 0..<rows { mean += values[row * columns + column] }
            mean /= max(n, 1)
            var variance = 0.0
            for row in 0..<rows {
                let centred = values[row * columns + column] - mean
                variance += centred * centred
            }
            let deviation = (variance / max(n - 1, 1)).squareRoot()
            let scale = deviation > 0 ? 1 / deviation : 1
            for row in 0..<rows { result.values[row * columns + column] = (values[row * columns + column] - mean) * scale }
        }
        return result
    }

    /// `[self | other]`: the columns of both matrices side by side, `[rows, columns + other.columns]`.
    public func joined(with other: SampleMatrix) -> SampleMatrix {
        precondition(rows == other.rows, "joined matrices need the same number of rows")
        var joined = [Double]()
        joined.reserveCapacity(rows * (columns + other.columns))
        for row in 0..<rows {
            joined.append(contentsOf: values[row * columns..<(row + 1) * columns])
            joined.append(contentsOf: other.values[row * other.columns..<(row + 1) * other.columns])
        }
        return SampleMatrix(rows: rows, columns: columns + other.columns, values: joined)
    }

    /// The rows at `indices`, in that order: `[indices.count, columns]`.
    public func selectingRows(_ indices: [Int]) -> SampleMatrix {
        var selected = [Double]()
        selected.reserveCapacity(indices.count * columns)
        for row in indices { selected.append(contentsOf: values[row * columns..<(row + 1) * columns]) }
        return SampleMatrix(rows: indices.count, columns: columns, values: selected)
    }

    /// Every value multiplied by `factor`.
    func scaled(by factor: Double) -> SampleMatrix {
        SampleMatrix(rows: rows, columns: columns, values: values.map { $0 * factor })
    }
}
