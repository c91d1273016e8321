import ArgumentParser
import Foundation
import Streaming
import TensorCore

/// `sepkws average-models A B ... --out DIR`: the mean of models' weights (a model soup, or a checkpoint average).
struct AverageModels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "average-models",
        abstract: "Average the weights of models fine-tuned from the same start (a model soup).",
        discussion: """
            Writes DIR with the element-wise mean of the models' weights. The models must share one architecture: \
            equal config.json apart from per-keyword thresholds, the same tensor names and shapes. Fine-tunes of one \
            starting model (other seeds, data or schedules) can average into a model that generalises better than each \
            of them, but need not: for the 12-keyword spotter's fine-tunes it did not reliably (Models/kws-cab-12 card), \
            and models trained from different starts never do. Score the result (eval-kws, eval-sep) before using \
            it. Detection thresholds belong to one set of weights and are not kept: run sepkws calibrate on the \
            result. Prints the member farthest from the mean.
            """)

    @Argument(help: "Two or more model directories (config.json + model.safetensors).")
    var models: [String]

    @Option(help: "The directory to create (must not exist).")
    var out: String

    @Option(help: "Element type of the written weights: f32, f16 or bf16.")
    var dtype: String = "f32"

    mutating func validate() throws {
        guard models.count >= 2 else { throw ValidationError("give two or more model directories to average (got \(models.count))") }
        guard SafeTensorsDType(option: dtype) != nil else {
            throw ValidationError("--dtype must be f32, f16 or bf16 (got '\(dtype)')")
        }
        let target = URL(fileURLWithPath: out).standardizedFileURL.path
        for model in models where URL(fileURLWithPath: model).standardizedFileURL.path == target {
            throw ValidationError("--out must differ from every model directory: a source is never overwritten")
        }
    }

    func run() throws {
        let result = try ModelAveraging.average(models: models, to: out, dtype: SafeTensorsDType(option: dtype)!)
        let weights = result.weights.values.reduce(0) { $0 + $1.count }
        let (model, distance) = result.largestDistance
        try Console.line(String(
            format: "%@: mean of %d models, %d tensors, %d weights (%@); farthest member %@, %.3f of the mean's norm away",
            out, models.count, result.weights.count, weights, dtype.lowercased(), model, distance))
        if result.droppedThresholds {
            try Console.line("thresholds not kept (they belong to one set of weights): sepkws calibrate --model \(out) --labels STREAM/labels.csv")
        }
    }
}
