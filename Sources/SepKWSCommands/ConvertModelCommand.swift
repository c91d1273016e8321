import AudioIO
import ArgumentParser
import Foundation
import NN
import Streaming
import TensorCore

/// `sepkws convert-model MODEL_DIR --out DIR --dtype f16`: re-stores a model's weights in another element type.
///
/// Works on any SepKWS model directory (a separator's or a keyword spotter's): `model.safetensors` is rewritten with
/// the same keys, shapes and `__metadata__`, every other file is copied. The result is read back through the loader
/// and compared with the source before it is renamed into place, so a half-written or lossy folder never appears.
struct ConvertModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert-model",
        abstract: "Store a model directory's weights as float16, bfloat16 or float32 (half the size as 16-bit).",
        discussion: """
            Reads MODEL_DIR/model.safetensors (F32, F16 or BF16), writes DIR with the weights in --dtype and a copy of \
            MODEL_DIR's other files (config.json, README.md, ...). Prints each format's size and the largest rounding \
            error relative to its tensor's largest weight. Refuses weights beyond float16's range (65504) rather than \
            storing infinities, and never writes over MODEL_DIR. Score the result (sepkws eval-sep / eval-kws) before \
            shipping it: rounding that is small per weight can still move a score.
            """)

    @Argument(help: "The model directory to convert (config.json + model.safetensors).")
    var model: String

    @Option(help: "The directory to create (must not exist).")
    var out: String

    @Option(help: "Element type of the written weights: f16, bf16 or f32.")
    var dtype: String = "f16"

    mutating func validate() throws {
        guard SafeTensorsDType(option: dtype) != nil else { throw ValidationError("--dtype must be f16, bf16 or f32 (got '\(dtype)')") }
        let source = URL(fileURLWithPath: model).standardizedFileURL.path
        let target = URL(fileURLWithPath: out).standardizedFileURL.path
        guard source != target else { throw ValidationError("--out must differ from MODEL_DIR: the source is never overwritten") }
    }

    func run() throws {
        let target = SafeTensorsDType(option: dtype)!
        let conversion = try ModelConversion.convert(model: model, to: out, dtype: target)
        let (source, encoded, error) = (conversion.source, conversion.encoded, conversion.largestRelativeError)
        let weightsPath = ModelDirectory(model).weightsPath
        let parameters = source.tensors.values.reduce(0) { $0 + $1.count }
        let sourceBytes = (try? FileManager.default.attributesOfItem(atPath: weightsPath)[.size] as? Int) ?? 0
        let stored = Set(source.storedDTypes.values).map(\.rawValue).sorted().joined(separator: "+")
        let rounding = error.value == 0
            ? "no weight changed"
            : String(format: "largest rounding error %.2e of a tensor's largest weight (%@)", error.value, error.key)
        try Console.line(String(
            format: "%@: %d tensors, %d weights, %@ %.2f MB -> %@ %.2f MB; %@", out, source.tensors.count, parameters, stored,
            Double(sourceBytes) / 1e6, target.rawValue, Double(encoded.count) / 1e6, rounding))
    }
}
