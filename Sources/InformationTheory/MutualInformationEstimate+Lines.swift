/// How `sepkws mutual-information` prints an estimate.
extension MutualInformationEstimate {
    /// `I(X;Y) = 0.6931 nats (1.0000 bits) [ksg, k=3, n=2000]`.
    public var textLine: String {
        var facts = [estimator.rawValue]
        if let k = neighbors { facts.append("k=\(k)") }
        if let components = components { facts.append("components=\(components.x)+\(components.y)") }
        if let bins = bins { facts.append("bins=\(bins)") }
        if let variance = noiseVariance { facts.append("noise variance=\(variance)") }
        facts.append("n=\(sampleCount)")
        return String(format: "I(X;Y) = %.4f nats (%.4f bits) [%@]", nats, bits, facts.joined(separator: ", "))
    }

    /// One JSON object, keys in a fixed order: estimator, nats, bits, n, then the estimator's settings.
    public var jsonLine: String {
        var fields = [
            "\"estimator\": \"\(estimator.rawValue)\"", "\"nats\": \(nats)", "\"bits\": \(bits)",
            "\"n\": \(sampleCount)",
        ]
        if let k = neighbors { fields.append("\"k\": \(k)") }
        if let marginals = marginals { fields.append("\"marginals\": \"\(marginals.rawValue)\"") }
        if let components = components { fields.append("\"components\": [\(components.x), \(components.y)]") }
        if let bins = bins { fields.append("\"bins\": \(bins)") }
        if let variance = noiseVariance { fields.append("\"noise_variance\": \(variance)") }
        return "{" + fields.joined(separator: ", ") + "}"
    }
}
