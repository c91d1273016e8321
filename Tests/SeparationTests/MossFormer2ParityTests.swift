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
        // The weights come back bit for bit; the outputs agree to rounding (the worker pool may split a reduction
        // differently from one call to the next, so two forward passes need not be bitwise equal).
        let saved = model.stateDict(), loaded = copy.stateDict()
        #expect(Set(saved.keys) == Set(loaded.keys))
        for (name, tensor) in saved { #expect(tensor.scalars == loaded[name]?.scalars, "\(name) differs after loading") }
        let a = Autograd.withInferenceMode { model(input) }.scalars
        let b = Autograd.withInferenceMode { copy(input) }.scalars
        #expect(a.count == b.count)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-6, "max abs difference \(worst)")
    }

    @Test func keysAreTheReferenceStateDict() throws {
        let (model, _) = try Self.fixtureModel()
        let weights = try SafeTensors.read(contentsOf: URL(fileURLWithPath: Fixtures.path("mossformer2/small.safetensors")))
        #expect(Set(model.stateDict().keys) == Set(weights.tensors.keys))
        #expect(model.parameterCount == 133_274 + 16 * 0)
    }
}

/// The fused inference path (``MaskNet``'s frames-first blocks on a preallocated workspace) against the autograd
/// path on random weights: several attention groups with a partial last one, batch of 2, every affine perturbed.
@Suite struct FusedInferenceTests {
    @Test func fusedPathMatchesTheAutogradPath() throws {
        let json = #"{"encoder_embedding_dim": 32, "mossformer_sequence_dim": 32, "num_mossformer_layer": 2, "group_size": 16, "query_key_dim": 40, "fsmn_inner_channels": 24, "sample_rate": 8000}"#
        let configuration = try JSONDecoder().decode(MossFormer2Configuration.self, from: Data(json.utf8))
        let model = try MossFormer2Separator(configuration: configuration, seed: 3)
        var rng = SplitMix64(seed: 4)
        for (name, tensor) in model.namedParameters() where tensor.rank <= 1 || name.contains("offset_scale") {
            tensor.assign(tensor.scalars.map { $0 + 0.2 * rng.nextNormal() })
        }
        let input = Tensor.randomNormal([2, 1203], standardDeviation: 0.3, using: &rng)   // 149 frames: 10 groups of 16
        let reference = Autograd.withNoGrad { model(input) }.scalars
        let fused = Autograd.withInferenceMode { model(input) }.scalars
        let scale = reference.map { abs($0) }.max() ?? 1
        let worst = zip(fused, reference).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-4 * scale, "fused vs autograd: max abs difference \(worst), output scale \(scale)")
        // Twice in a row and after a different length: the reused workspace gives the same result.
        _ = Autograd.withInferenceMode { model(Tensor.randomNormal([1, 2001], using: &rng)) }
        #expect(Autograd.withInferenceMode { model(input) }.scalars == fused)
    }
}
