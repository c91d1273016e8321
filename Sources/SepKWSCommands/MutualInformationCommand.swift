import ArgumentParser
import Foundation
import InformationTheory

/// `sepkws mutual-information X.npy Y.npy [--estimator NAME] [--json]`: estimates `I(X;Y)` between paired samples.
struct MutualInformationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mutual-information",
        abstract: "Estimate the mutual information I(X;Y) between paired samples in two .npy files.",
        discussion: """
            X is float32/float64 [n, d] (or [n]); Y is the same, or int64 class labels [n]. Row i of X goes with row i
            of Y. Estimators: binning (equal-width bins, plug-in entropies), kde (Gaussian kernels of variance
            --noise-variance: I of the noise-smoothed variables, Kolchinsky-Tracey pairwise bound), ksg (Kraskov et
            al. estimator 1, max-norm, k neighbours), mixed (Ross 2014: labels Y vs continuous X), pca (project X and
            Y on their leading principal components, then ksg). auto: mixed for labels, pca when the dimensions add
            up to more than 10, ksg otherwise.
            """)

    @Argument(help: "Samples of X: a .npy array, float32 or float64, [n, d] or [n].")
    var x: String

    @Argument(help: "Samples of Y: a .npy array, float32 or float64 [n, d] or [n], or int64 labels [n].")
    var y: String

    @Option(help: "Estimator: auto, binning, kde, ksg, mixed or pca.")
    var estimator: MutualInformationEstimator = .auto

    @Option(name: [.customShort("k"), .long], help: "Nearest neighbours for ksg, mixed and pca.")
    var neighbors = 3

    @Option(help: "Marginal rescaling before ksg and mixed: normal-scores (rank-based, blind to monotone maps) or standardize.")
    var marginals: MarginalTransform = .normalScores

    @Option(help: "Bins per dimension for binning (default: chosen from n and the dimension; 10 for two scalars at n = 2000).")
    var bins: Int?

    @Option(help: "Kernel (noise) variance for kde, in the data's units squared.")
    var noiseVariance = 0.1

    @Option(help: "Principal components kept per variable for pca (default: the fewest keeping --variance-fraction, at most 5).")
    var components: Int?

    @Option(help: "Share of the variance the chosen principal components keep (pca without --components).")
    var varianceFraction = 0.99

    @Flag(help: "Print one JSON object: {\"estimator\": ..., \"nats\": ..., \"bits\": ..., ...}.")
    var json = false

    @OptionGroup var threading: ThreadOptions

    var settings: MutualInformationSettings {
        MutualInformationSettings(
            estimator: estimator, neighbors: neighbors, marginals: marginals, bins: bins, noiseVariance: noiseVariance,
            components: components, varianceFraction: varianceFraction, threads: threading.threads)
    }

    mutating func validate() throws {
        do {
            try settings.validate()
        } catch {
            throw ValidationError(Self.optionMessage(error))
        }
    }

    func run() throws {
        let first = try NumpyReader(path: x), second = try NumpyReader(path: y)
        guard case .samples(let xSamples) = first.contents else {
            throw CommandFailure.inputFile(path: x, reason: "int64 labels are accepted for Y only; X must be float32 or float64")
        }
        guard first.rows == second.rows else {
            throw CommandFailure.inputFile(path: y, reason: "\(second.rows) samples, but \(x) has \(first.rows): the rows must be paired")
        }
        let yObservations: Observations = switch second.contents {
        case .samples(let samples): .continuous(samples)
        case .integers(let labels): .labels(labels)
        }
        let estimate: MutualInformationEstimate
        do {
            estimate = try MutualInformation.estimate(x: .continuous(xSamples), y: yObservations, settings: settings)
        } catch {
            switch error {
            case .labelsNotSupported, .labelsRequired:
                throw ValidationError("--estimator \(estimator.rawValue): \(error)")
            case .invalidSetting:
                throw ValidationError(Self.optionMessage(error))
            case .nonFinite(let variable, let row, let column):
                throw CommandFailure.inputFile(
                    path: variable == .x ? x : y, reason: "non-finite value at row \(row), column \(column) (the first one)")
            case .tooFewSamples(let variable, let count, let required, let reason):
                throw CommandFailure.inputFile(
                    path: variable == .x ? x : y, reason: "\(count) samples; \(reason) needs at least \(required)")
            case .sampleCountMismatch, .eigenDecompositionFailed:
                throw CommandFailure.inputFile(path: x, reason: "\(error)")
            case .inputFile:
                throw error
            }
        }
        try Console.line(json ? estimate.jsonLine : estimate.textLine)
    }

    /// A settings error phrased with the option's name.
    private static func optionMessage(_ error: InformationTheoryError) -> String {
        guard case .invalidSetting(let name, let value, let reason) = error else { return "\(error)" }
        let option = [
            "k": "--neighbors", "bins": "--bins", "noise variance": "--noise-variance", "components": "--components",
            "variance fraction": "--variance-fraction", "threads": "--threads",
        ][name] ?? name
        return "\(option) \(value): \(reason)"
    }
}

extension MutualInformationEstimator: ExpressibleByArgument {}
extension MarginalTransform: ExpressibleByArgument {}
