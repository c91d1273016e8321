import Evaluation
import Foundation

/// The information plane of a training run: for each weight snapshot and each measured layer, `I(X;T)` and `I(T;Y)`.
///
/// JSON (`sepkws info-plane --out`):
/// ```json
/// {"estimator": "binning", "bins": 30, "clips": 500, "label_entropy": 2.48, "max_input_information": 6.21,
///  "layers": ["conv1", ...],
///  "snapshots": [{"step": 0, "layers": {"conv1": {"i_xt": 6.2, "i_ty": 2.4}, ...}}, ...]}
/// ```
/// All values in nats. `label_entropy` is `H(Y)` of the clips (the ceiling of `I(T;Y)`), `max_input_information`
/// is `ln N` (the ceiling of the binning estimate of `I(X;T)` with `N` clips).
public struct InformationPlaneReport: Sendable, Codable, Equatable {
    /// One snapshot's points.
    public struct Snapshot: Sendable, Codable, Equatable {
        /// Training steps done when the weights were saved.
        public var step: Int
        /// The points by layer name.
        public var layers: [String: InformationPlanePoint]

        /// A snapshot's points.
        public init(step: Int, layers: [String: InformationPlanePoint]) {
            self.step = step
            self.layers = layers
        }
    }

    /// The estimator.
    public var estimator: InformationPlaneEstimator
    /// Bins per coordinate (binning, mixed).
    public var bins: Int?
    /// Noise variance (kde).
    public var noiseVariance: Double?
    /// Clips measured.
    public var clips: Int
    /// `H(Y)` of the clips' labels, nats.
    public var labelEntropy: Double
    /// `ln N`, nats.
    public var maxInputInformation: Double
    /// The measured layers, in network order.
    public var layers: [String]
    /// The points, by increasing step.
    public var snapshots: [Snapshot]

    enum CodingKeys: String, CodingKey {
        case estimator, bins, noiseVariance = "noise_variance", clips, labelEntropy = "label_entropy"
        case maxInputInformation = "max_input_information", layers, snapshots
    }

    /// The report as pretty-printed JSON (sorted keys).
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)) ?? Data()) + Data("\n".utf8)
    }

    /// The trajectories as an SVG: x = `I(X;T)`, y = `I(T;Y)` (nats), one line per layer, dots coloured by step.
    /// - Parameter title: the plot's title.
    public func svg(title: String) -> String {
        let series = layers.map { layer in
            PlotSeries(name: layer, x: snapshots.map { $0.layers[layer]?.inputInformation ?? .nan },
                       y: snapshots.map { $0.layers[layer]?.labelInformation ?? .nan })
        }
        let times = layers.map { _ in snapshots.map { Double($0.step) } }
        return SVGPlot(title: title, xLabel: "I(X;T) (nats)", yLabel: "I(T;Y) (nats)").trajectories(series, times: times, timeLabel: "step")
    }
}
