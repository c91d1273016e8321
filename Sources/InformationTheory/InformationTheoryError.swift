/// Errors the mutual-information estimators throw for data or settings that come from outside the program.
///
/// Programmer errors inside the kernels (mismatched buffer sizes) are preconditions, not errors.
public enum InformationTheoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// X and Y do not hold the same number of samples (rows).
    case sampleCountMismatch(x: Int, y: Int)
    /// Too few samples for the estimator (for example fewer than `k + 1` for a k-nearest-neighbour estimator).
    case tooFewSamples(variable: Variable, count: Int, required: Int, reason: String)
    /// A value is NaN or infinite.
    case nonFinite(variable: Variable, row: Int, column: Int)
    /// The estimator needs two continuous variables but Y holds class labels.
    case labelsNotSupported(estimator: MutualInformationEstimator)
    /// The estimator needs Y to be class labels.
    case labelsRequired(estimator: MutualInformationEstimator)
    /// A setting is out of its range.
    case invalidSetting(name: String, value: String, reason: String)
    /// LAPACK's symmetric eigen-decomposition (`dsyev`) failed.
    case eigenDecompositionFailed(info: Int32)
    /// An input data file (a `.npy` array) cannot be read or does not hold what is needed.
    case inputFile(path: String, reason: String)

    /// Which of the two variables an error is about.
    public enum Variable: String, Sendable, Equatable {
        case x = "X", y = "Y"
    }

    /// A one-line message naming the facts of the error.
    public var description: String {
        switch self {
        case let .sampleCountMismatch(x, y):
            "X has \(x) samples but Y has \(y): the rows must be paired"
        case let .tooFewSamples(variable, count, required, reason):
            "\(variable.rawValue) has \(count) samples; \(reason) needs at least \(required)"
        case let .nonFinite(variable, row, column):
            "\(variable.rawValue) holds a non-finite value at row \(row), column \(column) (the first one)"
        case let .labelsNotSupported(estimator):
            "the \(estimator.rawValue) estimator needs continuous Y, but Y holds class labels (use mixed, kde or binning)"
        case let .labelsRequired(estimator):
            "the \(estimator.rawValue) estimator needs Y to be int64 class labels [n]"
        case let .invalidSetting(name, value, reason):
            "\(name) \(value): \(reason)"
        case let .eigenDecompositionFailed(info):
            "the eigen-decomposition of the covariance matrix failed (LAPACK dsyev info \(info))"
        case let .inputFile(path, reason): "\(path): \(reason)"
        }
    }
}
