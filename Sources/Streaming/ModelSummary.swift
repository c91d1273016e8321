import AudioIO
import Foundation
import KeywordSpotting
import NN
import Separation
import TensorCore

/// The facts `inspect` reports about one model folder.
public struct ModelSummary: Encodable, Sendable {
    public var model: String
    public var kind: String
    public var labels: [String]?
    public var speakers: Int?
    public var sampleRate: Int
    public var parameters: Int
    public var macsPerSecond: Double
    public var macsPerWindow: Double?
    public var dtype: String
    public var fileBytes: Int
    public var thresholds: [String: Double]?
    public var parent: String?
    public var bothPolarities: Bool?

    enum CodingKeys: String, CodingKey {
        case model, kind, labels, speakers, parameters, dtype, thresholds, parent
        case sampleRate = "sample_rate", macsPerSecond = "macs_per_second", macsPerWindow = "macs_per_window"
        case fileBytes = "file_bytes", bothPolarities = "both_polarities"
    }

    /// The hop `detect` classifies windows at by default (s).
    public static let detectionHopSeconds = 0.08

    /// Reads `directory`'s config and weights (``ModelDirectory``; any weights format, as the kind is told by the
    /// configuration).
    /// - Throws: ``ModelDirectoryError`` or the model kind's configuration error, naming the file at fault.
    public init(directory: String) throws {
        let folder = ModelDirectory(directory)
        let configData = try folder.readConfiguration()
        let configPath = folder.configurationPath, weightsPath = folder.weightsPath
        let object = try? JSONSerialization.jsonObject(with: configData) as? [String: Any]
        let weights = try folder.readWeights(format: nil)
        model = directory
        parameters = weights.tensors.values.map(\.count).reduce(0, +)
        let types = Set(weights.storedDTypes.values.map(\.rawValue))
        dtype = types.count == 1 ? types.first! : types.sorted().joined(separator: "+")
        fileBytes = ((try? FileManager.default.attributesOfItem(atPath: weightsPath)[.size]) as? NSNumber)?.intValue ?? 0
        parent = weights.metadata["compressed_from"]
        if object?["labels"] != nil {
            let configuration = try KeywordSpotter.loadConfiguration(directory: directory)
            kind = "keyword-spotter"
            labels = configuration.labels
            thresholds = configuration.thresholds?.mapValues { (Double($0) * 1e6).rounded() / 1e6 }
            sampleRate = configuration.frontEnd.sampleRate
            macsPerWindow = Double(configuration.multiplyAccumulatesPerWindow)
            macsPerSecond = macsPerWindow! / Self.detectionHopSeconds
        } else {
            let configuration = try MossFormer2Configuration(data: configData, path: configPath)
            kind = "separator"
            speakers = configuration.numSpks
            sampleRate = configuration.sampleRate
            macsPerSecond = configuration.multiplyAdds(samples: configuration.sampleRate)
            bothPolarities = configuration.bothPolarities ?? false
        }
    }

    /// The summary as one JSON line (sorted keys).
    public func jsonLine() throws -> String {
        try JSONLine.encode(self)
    }

    /// The summary as lines of text.
    public var text: String {
        var lines = ["\(model): \(kind)"]
        if let labels { lines.append("  labels: \(labels.joined(separator: " "))") }
        if let speakers { lines.append("  speakers: \(speakers)") }
        lines.append("  sample rate: \(sampleRate) Hz")
        lines.append("  parameters: \(parameters) (\(dtype), \(String(format: "%.2f", Double(fileBytes) / 1_048_576)) MiB)")
        if let macsPerWindow {
            lines.append(String(format: "  multiply-adds: %.2f M per 1 s window, %.1f M per second of audio at an 80 ms hop", macsPerWindow / 1e6, macsPerSecond / 1e6))
        } else {
            lines.append(String(format: "  multiply-adds: %.1f M per second of audio (one pass)", macsPerSecond / 1e6))
        }
        if let bothPolarities { lines.append("  both polarities by default: \(bothPolarities ? "yes (twice the passes)" : "no")") }
        lines.append("  thresholds: \(thresholds.map { $0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") } ?? "none stored")")
        lines.append("  compressed from: \(parent ?? "none")")
        return lines.joined(separator: "\n")
    }
}
