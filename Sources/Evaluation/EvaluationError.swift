/// Every failure of the evaluators and metrics, with the facts that go into the message.
///
/// The `description` is one line that names the item (an utterance id, a file, or a signal such as `estimate 2`)
/// and the cause, ready for stderr.
public enum EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A separator returned a different number of estimates than there are references.
    case sourceCountMismatch(item: String, estimates: Int, references: Int)
    /// Two signals that must be equally long are not (`what` names the signal, e.g. `estimate 2` or a file).
    case lengthMismatch(item: String, what: String, expected: Int, actual: Int)
    /// A set that must not be empty is (`what` names it: `examples`, `keyword labels`, `signal`, ...).
    case emptyInput(what: String)
    /// A reference or estimate is all zeros, which BSS-Eval cannot decompose (as mir_eval refuses it).
    case silentSignal(item: String, what: String)
    /// The references are (numerically) linearly dependent, e.g. two copies of one source, so BSS-Eval's
    /// projection is undefined.
    case dependentReferences(item: String)
    /// More sources than permutation search allows.
    case tooManySources(item: String, count: Int, maximum: Int)
    /// A class index outside the label set.
    case unknownClass(item: String, index: Int, classCount: Int)
    /// An option or argument with an impossible value.
    case invalidParameter(name: String, value: String, reason: String)
    /// The separation function threw; `reason` is its error's description.
    case separationFailed(item: String, reason: String)
    /// An input file (labels, events) is malformed at `line` (1-based, the header is line 1).
    case malformedInput(path: String, line: Int, reason: String)
    /// The classification function threw; `reason` is its error's description.
    case classificationFailed(item: String, reason: String)
    /// An output file could not be written.
    case writeFailed(path: String, reason: String)

    /// One line naming the item and the cause.
    public var description: String {
        switch self {
        case .sourceCountMismatch(let item, let estimates, let references):
            "\(item): \(estimates) estimated sources for \(references) references"
        case .lengthMismatch(let item, let what, let expected, let actual):
            "\(item): \(what) has \(actual) samples, expected \(expected)"
        case .emptyInput(let what): "no \(what) to evaluate"
        case .silentSignal(let item, let what):
            "\(item): \(what) is all zeros (BSS-Eval needs non-silent references and estimates)"
        case .dependentReferences(let item):
            "\(item): the reference sources are linearly dependent (identical or filtered copies), BSS-Eval cannot tell them apart"
        case .tooManySources(let item, let count, let maximum):
            "\(item): \(count) sources, at most \(maximum) are supported (permutation search is exhaustive)"
        case .unknownClass(let item, let index, let classCount):
            "\(item): class index \(index) is outside the \(classCount) labels"
        case .invalidParameter(let name, let value, let reason): "invalid \(name) \(value): \(reason)"
        case .separationFailed(let item, let reason): "\(item): separation failed (\(reason))"
        case .malformedInput(let path, let line, let reason): "\(path):\(line): \(reason)"
        case .classificationFailed(let item, let reason): "\(item): classification failed (\(reason))"
        case .writeFailed(let path, let reason): "\(path): cannot write (\(reason))"
        }
    }
}
