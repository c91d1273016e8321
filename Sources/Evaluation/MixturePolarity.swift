/// Which talkers of an evaluation mixture are negated before it is separated: a check that a separator works on
/// recordings of either polarity, which real audio has at random (synthetic corpora have one). The scores do not
/// depend on an estimate's sign, so a polarity-robust model scores the same under each.
public enum MixturePolarity: String, Sendable, CaseIterable, Codable {
    /// The mixture and references as read.
    case asRecorded = "as-recorded"
    /// Every talker negated: the mixture `x` becomes `-x` (its noise too).
    case inverted
    /// The last talker negated, the others as read: `x` becomes `x - 2 s_last` (the noise, if any, as read).
    case mixed

    /// Applies the polarity to one utterance.
    /// - Parameters:
    ///   - mixture: `[n]`.
    ///   - references: `[nsrc][n]`, the talkers in `mixture`.
    /// - Returns: the mixture `[n]` and references `[nsrc][n]` with the chosen talkers negated.
    public func apply(mixture: [Float], references: [[Float]]) -> (mixture: [Float], references: [[Float]]) {
        switch self {
        case .asRecorded:
            return (mixture, references)
        case .inverted:
            return (mixture.map { -$0 }, references.map { $0.map { -$0 } })
        case .mixed:
            guard let last = references.last else { return (mixture, references) }
            let negated = zip(mixture, last).map { $0 - 2 * $1 }
            return (negated, references.dropLast() + [last.map { -$0 }])
        }
    }
}
