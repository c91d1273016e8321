import Foundation
import NN
import Testing
import TensorCore
import TestSupport

/// A layer nesting a Sequential, to check dotted keys.
private final class Block: UnaryLayer {
    let mdl: Sequential
    let norm = LayerNorm(features: 4)
    var isTraining = true
    init() {
        var rng = SplitMix64(seed: 3)
        mdl = Sequential([ScaleNorm(), Linear(inputFeatures: 3, outputFeatures: 4, rng: &rng), Activation(.silu)])
    }
    var children: [(name: String, layer: any Layer)] { [("mdl", mdl), ("norm", norm)] }
    func callAsFunction(_ x: Tensor) -> Tensor { norm(mdl(x)) }
}

@Suite("Layers and parameter trees")
struct LayerTests {
    @Test func linearComputesXWTransposePlusB() {
        let layer = Linear(weight: Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), bias: Tensor([10, 20], shape: [2]))
        let y = layer(Tensor([1, 0, -1, 2, 1, 0], shape: [2, 3]))
        #expect(y.shape == [2, 2])
        let expected: [Float] = [8, 18, 14, 33]   // [1-3+10, 4-6+20, 2+2+10, 8+5+20]
        #expect(y.scalars == expected)
    }

    @Test func dottedKeysFollowPyTorchStateDictNames() {
        let keys = Block().namedParameters().map(\.name)
        #expect(keys == ["mdl.0.g", "mdl.1.weight", "mdl.1.bias", "norm.weight", "norm.bias"])
        #expect(Block().parameterCount == 1 + 12 + 4 + 4 + 4)
    }

    @Test func strictLoadNamesEveryProblemInOneMessage() {
        let block = Block()
        var tensors = block.stateDict()
        tensors["mdl.1.bias"] = nil
        tensors["mdl.2.weight"] = Tensor.zeros([1])
        tensors["norm.weight"] = Tensor.zeros([5])
        do {
            try block.load(tensors)
            Issue.record("load succeeded")
        } catch {
            #expect(error.description == "Missing keys (in the model, not in the checkpoint): mdl.1.bias; Unexpected keys (in the checkpoint, not in the model): mdl.2.weight; Shape mismatch for 'norm.weight': model expects [4], checkpoint has [5]")
        }
    }

    @Test func singleProblemsHaveTheirOwnCase() {
        let block = Block()
        var tensors = block.stateDict()
        tensors["norm.bias"] = nil
        #expect(throws: CheckpointError.missingKeys(["norm.bias"])) { try block.load(tensors) }
        #expect(throws: Never.self) { try block.load(tensors, strict: false) }
    }

    @Test func saveThenLoadGivesIdenticalOutput() throws {
        let a = Block(), b = Block()
        var rng = SplitMix64(seed: 9)
        for (_, p) in a.namedParameters() { p.assign(Tensor.randomNormal(p.shape, using: &rng).scalars) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nn-\(UInt64.random(in: 0...UInt64.max)).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try a.save(to: url, metadata: ["model": "block"])
        let metadata = try b.load(contentsOf: url)
        #expect(metadata["model"] == "block")
        let x = Tensor.randomNormal([2, 5, 3], using: &rng)
        #expect(a(x).scalars == b(x).scalars)
    }

    @Test func convLayersProduceDocumentedShapes() {
        let x = Tensor.zeros([2, 4, 33])
        #expect(Conv1d(inputChannels: 4, outputChannels: 6, kernelSize: 5, stride: 2, padding: .same, dilation: 1)(x).shape == [2, 6, 17])
        let fsmn = Conv1d(inputChannels: 4, outputChannels: 2, kernelSize: 39, padding: .same, dilation: 2, groups: 2, bias: false, weightHasTrailingUnitAxis: true)
        #expect(fsmn.weight.shape == [2, 2, 39, 1])
        #expect(fsmn(x).shape == [2, 2, 33])
        #expect(ConvTranspose1d(inputChannels: 4, outputChannels: 1, kernelSize: 16, stride: 8, bias: false)(x).shape == [2, 1, 32 * 8 + 16])
    }

    @Test func conv2dMatchesANaiveLoop() {
        var rng = SplitMix64(seed: 4)
        let conv = Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), rng: &rng)
        let x = Tensor.randomNormal([1, 5, 6, 2], using: &rng)   // [B, H, W, C]
        let y = conv(x)
        #expect(y.shape == [1, 3, 3, 3])
        let w = conv.weight.scalars, b = conv.bias!.scalars, xs = x.scalars
        var worst: Float = 0
        for i in 0..<3 { for j in 0..<3 { for o in 0..<3 {
            var sum = b[o]
            for c in 0..<2 { for di in 0..<3 { for dj in 0..<3 {
                let h = 2 * i + di - 1, v = 2 * j + dj - 1
                guard (0..<5).contains(h), (0..<6).contains(v) else { continue }
                sum += w[((o * 2 + c) * 3 + di) * 3 + dj] * xs[(h * 6 + v) * 2 + c]
            } } }
            worst = max(worst, abs(sum - y.scalars[(i * 3 + j) * 3 + o]))
        } } }
        #expect(worst < 1e-5)
    }

    @Test func depthwiseFramesFirstInferenceMatchesTheTrainingPath() {
        var rng = SplitMix64(seed: 4)
        let conv = Conv1d(inputChannels: 12, outputChannels: 12, kernelSize: 7, padding: .same, dilation: 2, groups: 12, bias: false, rng: &rng)
        let x = Tensor.randomNormal([2, 12, 23], using: &rng)           // [B, C, T]
        let expected = Autograd.withNoGrad { (x + conv(x)).transposed(1, 2) }   // [B, T, C]
        let out = Tensor.zeros([2, 23, 12])
        conv.forwardFramesFirst(x.transposed(1, 2), residual: true, into: out)
        #expect(TensorAssertions.maxRelativeError(out.scalars, expected.scalars) < 1e-5)
    }

    @Test func dropoutIsIdentityInEvaluationMode() {
        let drop = Dropout(probability: 0.5, seed: 1)
        let x = Tensor.ones([64])
        #expect(drop(x).scalars != x.scalars)
        drop.isTraining = false
        #expect(drop(x).scalars == x.scalars)
    }

    @Test func preluHasOneOrPerChannelSlopes() {
        let x = Tensor([-1, 2, -3, 4], shape: [1, 2, 2])
        #expect(PReLU()(x).scalars == [-0.25, 2, -0.75, 4])
        let perChannel = PReLU(parameterCount: 2)
        perChannel.weight.assign([0.1, 0.5])
        #expect(perChannel(x).scalars == [-0.1, 2, -1.5, 4])
    }

    @Test func transformerEncoderLayerKeepsShapeAndPassesGradients() {
        var rng = SplitMix64(seed: 5)
        let layer = TransformerEncoderLayer(modelDimension: 8, heads: 2, feedForwardDimension: 16, dropout: 0, rng: &rng)
        #expect(layer.namedParameters().map(\.name).prefix(4) == ["self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias"])
        let x = Tensor.randomNormal([2, 5, 8], using: &rng, requiresGrad: true)
        let y = layer(x)
        #expect(y.shape == [2, 5, 8])
        y.squared().sum().backward()
        #expect(x.grad != nil)
        #expect(layer.namedParameters().allSatisfy { $0.tensor.grad != nil })
    }

    @Test func attentionGradientMatchesCentralDifferences() {
        var rng = SplitMix64(seed: 6)
        let attention = MultiHeadSelfAttention(embedDimension: 4, heads: 2, rng: &rng)
        let mask = Tensor([0, -1e9, -1e9, 0, 0, -1e9, 0, 0, 0], shape: [3, 3])   // causal
        let x = Tensor.randomNormal([1, 3, 4], using: &rng, requiresGrad: true)
        let reports = GradientCheck.check([x, attention.inProjectionWeight]) { _ in attention(x, mask: mask) }
        for r in reports { #expect(r.error < 1e-2, "\(r)") }
    }

    @Test func aHeadScaledToZeroIsAHeadWhoseOutputColumnsAreZero() throws {
        var rng = SplitMix64(seed: 7)
        let attention = MultiHeadSelfAttention(embedDimension: 6, heads: 3, rng: &rng)
        attention.isTraining = false
        let x = Tensor.randomNormal([2, 4, 6], using: &rng)
        let scaled = attention(x, mask: nil, headScales: Tensor([1, 0, 0.5], shape: [1, 3])).scalars
        // The same by hand: head 1's columns of the output projection zeroed, head 2's halved.
        var weight = attention.outProjection.weight.scalars
        for row in 0..<6 { weight[row * 6 + 2] = 0; weight[row * 6 + 3] = 0; weight[row * 6 + 4] *= 0.5; weight[row * 6 + 5] *= 0.5 }
        attention.outProjection.weight.assign(weight)
        let expected = attention(x).scalars
        #expect(zip(scaled, expected).allSatisfy { abs($0 - $1) < 1e-5 })
        // A layer of 2 heads 3 wide on a width of 8: projections [18, 8] and [8, 6]; the gradient reaches the scales.
        let narrow = MultiHeadSelfAttention(embedDimension: 8, heads: 2, headDimension: 3, rng: &rng)
        #expect(narrow.inProjectionWeight.shape == [18, 8] && narrow.outProjection.weight.shape == [8, 6])
        let scales = Tensor([0.7, 1.2, 0.3, 0.9], shape: [2, 2], requiresGrad: true)
        let y = Tensor.randomNormal([2, 3, 8], using: &rng)
        let reports = GradientCheck.check([scales, narrow.inProjectionWeight]) { _ in narrow(y, mask: nil, headScales: scales) }
        for r in reports { #expect(r.error < 1e-2, "\(r)") }
    }

    @Test func batchStandardizationGivesEachColumnZeroMeanAndUnitVariance() {
        // Columns [1, 2, 3, 4] (mean 2.5, variance 1.25) and [10, 10, 10, 14] (mean 11, variance 3).
        let x = Tensor([1, 10, 2, 10, 3, 10, 4, 14], shape: [4, 2], requiresGrad: true)
        let y = BatchStandardization(eps: 0)(x).scalars
        let (a, b) = (Float(1.25).squareRoot(), Float(3).squareRoot())
        let expected: [Float] = [-1.5 / a, -1 / b, -0.5 / a, -1 / b, 0.5 / a, -1 / b, 1.5 / a, 3 / b]
        for (value, truth) in zip(y, expected) { #expect(abs(value - truth) < 1e-5, "\(y)") }
        #expect(BatchStandardization().stateDict().isEmpty)
        let reports = GradientCheck.check([TensorAssertions.randomTensor([5, 3], seed: 4)]) { BatchStandardization()($0[0]) }
        #expect(reports[0].error < 1e-2, "\(reports[0])")
    }
}
