/// The metrics of one separated utterance: one row of the per-utterance CSV.
///
/// Means are over the utterance's sources. SI-SNR values use the PIT matching (``permutation``); SDR values use
/// mir_eval's matching by mean SIR (``sdrPermutation``). Per-source arrays are `[nsrc]`, indexed by reference.
public struct SeparationResult: Sendable, Equatable, Codable {
    /// The utterance's name.
    public var id: String
    /// Mixture length (s).
    public var seconds: Double
    /// Reference sources.
    public var sourceCount: Int
    /// Mean SI-SNR of the estimates (dB).
    public var siSNR: Double
    /// Mean SI-SNR improvement over the mixture (dB).
    public var siSNRImprovement: Double
    /// Mean SI-SNR of the mixture against each reference (dB).
    public var inputSISNR: Double
    /// SI-SNR per reference under ``permutation`` (dB).
    public var siSNRPerSource: [Double]
    /// `permutation[j]`: the estimate matched to reference `j` by PIT on SI-SNR.
    public var permutation: [Int]
    /// Mean BSS-Eval SDR (dB), `nil` when SDR is not computed.
    public var sdr: Double?
    /// Mean SDR improvement over the mixture (dB).
    public var sdrImprovement: Double?
    /// Mean SDR of the mixture against each reference (dB).
    public var inputSDR: Double?
    /// Mean SIR (dB).
    public var sir: Double?
    /// Mean SAR (dB).
    public var sar: Double?
    /// SDR per reference under ``sdrPermutation`` (dB).
    public var sdrPerSource: [Double]?
    /// mir_eval's matching (maximal mean SIR).
    public var sdrPermutation: [Int]?
    /// Time the separation function took (s, wall clock), excluding reading files and metrics.
    public var processingSeconds: Double

    /// Snake-case JSON keys (`si_snr`, `input_si_snr`, ...) under the reports' key strategy.
    enum CodingKeys: String, CodingKey {
        case id, seconds, sourceCount, siSNR = "siSnr", siSNRImprovement = "siSnrImprovement", inputSISNR = "inputSiSnr"
        case siSNRPerSource = "siSnrPerSource", permutation, sdr, sdrImprovement, inputSDR = "inputSdr", sir, sar
        case sdrPerSource, sdrPermutation, processingSeconds
    }

    /// A row from its values (see the properties for units).
    public init(
        id: String, seconds: Double, sourceCount: Int, siSNR: Double, siSNRImprovement: Double, inputSISNR: Double,
        siSNRPerSource: [Double], permutation: [Int], sdr: Double? = nil, sdrImprovement: Double? = nil,
        inputSDR: Double? = nil, sir: Double? = nil, sar: Double? = nil, sdrPerSource: [Double]? = nil,
        sdrPermutation: [Int]? = nil, processingSeconds: Double
    ) {
        self.id = id
        self.seconds = seconds
        self.sourceCount = sourceCount
        self.siSNR = siSNR
        self.siSNRImprovement = siSNRImprovement
        self.inputSISNR = inputSISNR
        self.siSNRPerSource = siSNRPerSource
        self.permutation = permutation
        self.sdr = sdr
        self.sdrImprovement = sdrImprovement
        self.inputSDR = inputSDR
        self.sir = sir
        self.sar = sar
        self.sdrPerSource = sdrPerSource
        self.sdrPermutation = sdrPermutation
        self.processingSeconds = processingSeconds
    }

    /// The CSV header matching ``csvRow``.
    public static let csvHeader = [
        "id", "seconds", "sources", "si_snr", "si_snri", "input_si_snr", "sdr", "sdri", "input_sdr", "sir", "sar",
        "permutation", "sdr_permutation", "si_snr_per_source", "sdr_per_source", "processing_s", "rtf",
    ]

    /// The row's cells: dB with 4 decimals, permutations and per-source values space-separated, empty cells for
    /// metrics not computed.
    public var csvRow: [String] {
        func db(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "" }
        func list(_ v: [Double]?) -> String { v.map { $0.map { String(format: "%.4f", $0) }.joined(separator: " ") } ?? "" }
        return [
            id, String(format: "%.4f", seconds), String(sourceCount), db(siSNR), db(siSNRImprovement), db(inputSISNR),
            db(sdr), db(sdrImprovement), db(inputSDR), db(sir), db(sar),
            permutation.map(String.init).joined(separator: " "), sdrPermutation?.map(String.init).joined(separator: " ") ?? "",
            list(siSNRPerSource), list(sdrPerSource), String(format: "%.4f", processingSeconds),
            String(format: "%.4f", seconds > 0 ? processingSeconds / seconds : 0),
        ]
    }
}
