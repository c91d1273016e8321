/// The detection thresholds a model folder may carry (`config.json`'s optional `thresholds`, an object from label to
/// probability, e.g. `{"hey jarvis": 0.93}`), written by `sepkws calibrate` or `train-kws --words` after calibrating each keyword on a
/// synthesized validation stream. Configurations without it load as before.
extension KWSConfiguration {
    /// The stored threshold of `label`, checked.
    /// - Returns: the threshold, or nil if none is stored for `label`.
    /// - Throws: ``KeywordSpottingError/invalidConfiguration(field:value:reason:)`` for a stored value outside [0, 1]
    ///   or a key that is not a label.
    public func storedThreshold(for label: String) throws(KeywordSpottingError) -> Float? {
        guard let thresholds else { return nil }
        for (key, value) in thresholds.sorted(by: { $0.key < $1.key }) {
            guard labels.contains(key) else {
                throw .invalidConfiguration(field: "thresholds.\(key)", value: "\(value)", reason: "not a label of the model")
            }
            guard value >= 0, value <= 1 else {
                throw .invalidConfiguration(field: "thresholds.\(key)", value: "\(value)", reason: "must be a probability in [0, 1]")
            }
        }
        return thresholds[label]
    }
}
