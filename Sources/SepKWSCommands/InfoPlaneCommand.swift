import ArgumentParser
import AudioIO
import Foundation
import InformationBottleneck

/// `sepkws info-plane --run RUN --data DIR --out plane.json [--plot plane.svg]`: the information plane of a keyword run.
struct InfoPlaneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info-plane",
        abstract: "Information plane of a keyword training run: I(X;T) and I(T;Y) of chosen layers at every weight snapshot.",
        discussion: """
            Needs a run trained with --snapshot-every N (RUN/snapshots). For each snapshot, the activations T of each \
            layer on --clips clips of DIR's dev split (its test split when the dev split is empty), X the clip and Y \
            its label. binning (Shwartz-Ziv & Tishby): I(X;T) = H(T) of T cut into --bins equal-width bins per \
            coordinate (the network is deterministic), I(T;Y) with the same bins. kde (Saxe et al.): T plus Gaussian \
            noise of variance --noise-variance, pairwise-distance estimates. mixed: I(X;T) by binning, I(T;Y) by \
            Ross's nearest-neighbour estimator. Values in nats; binning's I(X;T) is at most ln(clips) and I(T;Y) at \
            most H(Y): wide layers saturate at those ceilings (every clip in its own cell), so compare layers and steps.
            Layers: conv1, conv2, pool, transformer.<i>, readout, bottleneck, logits (default: conv1, conv2, each \
            transformer layer, bottleneck).
            """)

    @Option(name: .customLong("run"), help: "A train-kws (or pretrain) run folder with snapshots/ (train with --snapshot-every N).")
    var runDirectory: String

    @Option(help: "Speech Commands folder whose dev split gives the clips.")
    var data: String

    @Option(help: "Layers, comma-separated (default: conv1, conv2, transformer.<i>, bottleneck).")
    var layers: String?

    @Option(help: "Clips (balanced like the standard test set).")
    var clips: Int = 500

    @Option(help: "Estimator: binning, kde or mixed.")
    var estimator: InformationPlaneEstimator = .binning

    @Option(help: "Bins per coordinate (binning, mixed).")
    var bins: Int = 30

    @Option(help: "Noise variance per coordinate (kde), in the activations' units squared.")
    var noiseVariance: Double = 0.1

    @Option(help: "The JSON report: per snapshot step, per layer {\"i_xt\": nats, \"i_ty\": nats}.")
    var out: String

    @Option(help: "Also draw the trajectories as an SVG.")
    var plot: String?

    @OptionGroup var threading: ThreadOptions

    var settings: InformationPlaneSettings {
        InformationPlaneSettings(
            layers: layers.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } },
            clips: clips, estimator: estimator, bins: bins, noiseVariance: noiseVariance, threads: threading.threads)
    }

    mutating func validate() throws {
        do { try settings.validate() } catch { throw ValidationError(error.description) }
        try OptionBounds.check("--clips", clips, 4...100_000)
        if let layers, settings.layers?.isEmpty ?? true { throw ValidationError("--layers '\(layers)': name at least one layer") }
    }

    func run() throws {
        let bar = ProgressBar(label: "info-plane", unit: "snapshots")
        let report = try InformationPlane.compute(runDirectory: runDirectory, data: data, settings: settings) { done, total in
            bar.update(done: done, total: total)
        }
        try AtomicOutput.write(report.jsonData(), to: out)
        if let plot {
            let title = "Information plane: \((runDirectory as NSString).lastPathComponent) (\(report.estimator.rawValue), \(report.clips) clips)"
            try AtomicOutput.write(Data(report.svg(title: title).utf8), to: plot)
        }
        let last = report.snapshots.last
        for layer in report.layers {
            guard let point = last?.layers[layer] else { continue }
            try Console.line(String(format: "%@ step %d: I(X;T) %.3f nats, I(T;Y) %.3f nats", layer, last!.step, point.inputInformation, point.labelInformation))
        }
        try Console.line(String(format: "%d snapshots, %d clips, H(Y) %.3f nats, ln N %.3f nats; wrote %@", report.snapshots.count, report.clips,
                                report.labelEntropy, report.maxInputInformation, out))
    }
}

extension InformationPlaneEstimator: ExpressibleByArgument {}
