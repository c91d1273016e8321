import AudioDatasets

/// What `train-kws --words` needs besides the training settings (stored in the run's settings, so that a resumed
/// run calibrates the same way).
struct WakeWordSettings: Codable {
    /// Engine families that spoke the training data (and speak the calibration stream).
    var engines: [String]
    /// False accepts per hour each phrase's threshold is calibrated to.
    var targetFalseAcceptsPerHour: Double
    /// Minutes of the calibration stream.
    var calibrationMinutes: Double
    /// Confusable words and phrase parts said (unlabelled) in the calibration stream.
    var fillers: [String]
    /// Seconds the run took before training (data synthesis), for the final report.
    var preparationSeconds: Double

    enum CodingKeys: String, CodingKey {
        case engines, targetFalseAcceptsPerHour = "target_fa_per_hour", calibrationMinutes = "calibration_minutes", fillers
        case preparationSeconds = "preparation_seconds"
    }
}

extension TrainKWSSettings {
    /// The task: custom keywords (`--words`), or the 12- or 35-class Speech Commands task.
    var labelSet: KeywordLabelSet {
        if let words { return .custom(keywords: words) }
        return labels == 35 ? .thirtyFive : .twelve
    }
}
