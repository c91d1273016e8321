import Foundation
import NN
@testable import Separation
import TensorCore
import Testing
import TestSupport

/// The separator against the reference PyTorch code: every tensor of the shared fixture
/// (Fixtures/mossformer2/README.md: small config, 2 blocks, 8005 samples at 8 kHz).
@Suite struct MossFormer2ParityTests {
    static func fixtureModel() throws -> (MossFormer2Separator, SafeTensors) {
        let weights = try SafeTensors.read(contentsOf: URL(fileURLWithPath: Fixtures.path("mossformer2/small.safetensors")))
        let configJSON = try #require(weights.metadata["config"])
        let configuration = try JSONDecoder().decode(MossFormer2Configuration.self, from: Data(configJSON.utf8))
        let model = try MossFormer2Separator(configuration: configuration)
        try model.load(weights.tensors)
        let io = try SafeTensors.read(contentsOf: URL(fileURLWithPath: Fixtures.path("mossformer2/small_io.safetensors")))
        return (model, io)
    }

    @Test func everyIntermediateAndTheOutputMatchTheReference() throws {
        let (model, io) = try Self.fixtureModel()
        var traced: [String: Tensor] = [:]
        model.trace = { name, value in traced[name] = value }
        let input = try #require(io.tensors["input"])
        let output = Autograd.withInferenceMode { model(input) }
        var compared = 0
        for (name, expected) in io.tensors.sorted(by: { $0.key < $1.key }) where name != "input" {
            let actual: Tensor
            if name == "output" {
                actual = output.reshaped(expected.shape.dims)
            } else if name == "masknet.gated_out" || name == "masks" {
                actual = try #require(traced[name], "\(name) not traced").reshaped(expected.shape.dims)
            } else {
                actual = try #require(traced[name], "\(name) not traced")
            }
            #expect(actual.shape.dims == expected.shape.dims || actual.count == expected.count, "\(name): \(actual.shape) vs \(expected.shape)")
            let tolerance: Float = name == "output" || name.hasPrefix("decoder") ? 1e-5 : 1e-4
            let worst = zip(actual.reshaped(expected.shape.dims).scalars, expected.scalars).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= tolerance, "\(name): max abs error \(worst) > \(tolerance)")
            compared += 1
        }
        #expect(compared == 31)
    }

    /// The autograd (training) path, which does not use the fused inference kernels, matches the reference too
    /// (evaluation mode, so dropout is off), and its gradients reach every parameter.
    @Test func trainingPathMatchesTheReference() throws {
        let (model, io) = try Self.fixtureModel()
        let input = try #require(io.tensors["input"])
        let expected = try #require(io.tensors["output"])
        let output = model(input)
        #expect(output.requiresGrad)
        let worst = zip(output.reshaped(expected.shape.dims).scalars, expected.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-5, "training-path output: max abs error \(worst)")
        output.squared().sum().backward()
        let missing = model.namedParameters().filter { $0.tensor.gradValues == nil }.map(\.name)
        #expect(missing.isEmpty, "no gradient for \(missing)")
    }

    @Test func saveAndLoadGiveTheSameOutput() throws {
        let (model, io) = try Self.fixtureModel()
        let input = try #require(io.tensors["input"])
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = URL(fileURLWithPath: dir.file("model.safetensors"))
        try model.save(to: url)
        let copy = try MossFormer2Separator(configuration: model.configuration, seed: 99)
        _ = try copy.load(contentsOf: url)
        let a = Autograd.withInferenceMode { model(input) }.scalars
        let b = Autograd.withInferenceMode { copy(input) }.scalars
        #expect(a == b)
    }

    @Test func keysAreTheReferenceStateDict() throws {
        let (model, _) = try Self.fixtureModel()
        let weights = try SafeTensors.read(contentsOf: URL(fileURLWithPath: Fixtures.path("mossformer2/small.safetensors")))
        #expect(Set(model.stateDict().keys) == Set(weights.tensors.keys))
        #expect(model.parameterCount == 133_274 + 16 * 0)
    }
}
