/// The best matching of estimates to references under a pairwise metric (utterance-level PIT).
///
/// Shapes: `permutation` and `values` are `[nsrc]`, indexed by reference.
public struct PermutationInvariantResult: Sendable, Equatable, Codable {
    /// `permutation[j]` is the estimate matched to reference `j`.
    public var permutation: [Int]
    /// The metric of estimate `permutation[j]` against reference `j` (dB).
    public var values: [Double]

    /// A result from the matching and the matched values (`[nsrc]` each).
    public init(permutation: [Int], values: [Double]) {
        self.permutation = permutation
        self.values = values
    }

    /// The mean over references (dB), the quantity PIT maximises.
    public var mean: Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

    /// `estimates` reordered so that element `j` is the estimate matched to reference `j`.
    public func reordered<T>(_ estimates: [T]) -> [T] { permutation.map { estimates[$0] } }
}
