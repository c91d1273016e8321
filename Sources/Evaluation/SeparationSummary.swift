/// The summary of a separation evaluation: counts, timing and the mean / median of every metric (SDR ones `nil`
/// when SDR was not computed). Written as the summary JSON.
public struct SeparationSummary: Sendable, Equatable, Codable {
    /// Utterances evaluated.
    public var utterances: Int
    /// Evaluation sample rate (Hz).
    public var sampleRate: Int
    /// Audio evaluated (s).
    public var audioSeconds: Double
    /// Time spent in the separation function (s).
    public var processingSeconds: Double
    /// `processingSeconds / audioSeconds` (below 1 is faster than real time).
    public var realTimeFactor: Double
    /// SI-SNR of the estimates (dB).
    public var siSNR: MetricSummary
    /// SI-SNR improvement (dB).
    public var siSNRImprovement: MetricSummary
    /// SI-SNR of the mixtures (dB).
    public var inputSISNR: MetricSummary
    /// BSS-Eval SDR (dB).
    public var sdr: MetricSummary?
    /// SDR improvement (dB).
    public var sdrImprovement: MetricSummary?
    /// SDR of the mixtures (dB).
    public var inputSDR: MetricSummary?
    /// SIR (dB).
    public var sir: MetricSummary?
    /// SAR (dB).
    public var sar: MetricSummary?
    /// SI-SNRi per named subset (engine families, from the corpus's `clips.csv`); nil when none was given.
    public var subsets: [SeparationSubset]?

    /// Snake-case JSON keys (`si_snr`, `input_si_snr`, ...) under the reports' key strategy.
    enum CodingKeys: String, CodingKey {
        case utterances, sampleRate, audioSeconds, processingSeconds, realTimeFactor
        case siSNR = "siSnr", siSNRImprovement = "siSnrImprovement", inputSISNR = "inputSiSnr"
        case sdr, sdrImprovement, inputSDR = "inputSdr", sir, sar, subsets
    }

    /// Summarises `rows` evaluated at `sampleRate` Hz, and the subsets `subsets(row)` names (none by default).
    public init(rows: [SeparationResult], sampleRate: Int, subsets: ((SeparationResult) -> [String])? = nil) {
        utterances = rows.count
        self.sampleRate = sampleRate
        audioSeconds = rows.reduce(0) { $0 + $1.seconds }
        processingSeconds = rows.reduce(0) { $0 + $1.processingSeconds }
        realTimeFactor = audioSeconds > 0 ? processingSeconds / audioSeconds : 0
        siSNR = MetricSummary(rows.map(\.siSNR))
        siSNRImprovement = MetricSummary(rows.map(\.siSNRImprovement))
        inputSISNR = MetricSummary(rows.map(\.inputSISNR))
        let withSDR = rows.filter { $0.sdr != nil }
        func summary(_ value: (SeparationResult) -> Double?) -> MetricSummary? {
            withSDR.isEmpty ? nil : MetricSummary(withSDR.compactMap(value))
        }
        sdr = summary(\.sdr)
        sdrImprovement = summary(\.sdrImprovement)
        inputSDR = summary(\.inputSDR)
        sir = summary(\.sir)
        sar = summary(\.sar)
        self.subsets = subsets.map { SeparationSubset.subsets(of: rows, names: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
