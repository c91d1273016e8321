import Foundation
import Testing
import TensorCore
import TestSupport

/// The op table: one row per op. Each row checks the forward pass against a naive reference and the backward
/// pass against central differences (in Double) of `sum(op(x) · r)`. Adding an op means adding a row here.
@Suite("Op table: forward vs reference, backward vs central differences")
struct GradientCheckTests {
    static let nearZero: @Sendable (Int, Float) -> Bool = { _, v in Swift.abs(v) < 0.03 }

    static let rows0: [OpCase] = [
        // Elementwise, with broadcasting and odd lengths.
        OpCase(name: "add [3,1,5]+[4,1]", shapes: [[3, 1, 5], [4, 1]], op: { $0[0] + $0[1] },
               reference: { naiveBroadcast($0[0], [3, 1, 5], $0[1], [4, 1], +) }),
        OpCase(name: "sub [2,3,5]-[5]", shapes: [[2, 3, 5], [5]], op: { $0[0] - $0[1] },
               reference: { naiveBroadcast($0[0], [2, 3, 5], $0[1], [5], -) }),
        OpCase(name: "mul [2,3,5]*[3,1]", shapes: [[2, 3, 5], [3, 1]], op: { $0[0] * $0[1] },
               reference: { naiveBroadcast($0[0], [2, 3, 5], $0[1], [3, 1], *) }),
        OpCase(name: "mul scalar-tensor [1]*[2,3]", shapes: [[1], [2, 3]], op: { $0[0] * $0[1] },
               reference: { naiveBroadcast($0[0], [1], $0[1], [2, 3], *) }),
    ]
    static let rows1: [OpCase] = [
        OpCase(name: "div [3,4]/[4]", shapes: [[3, 4], [4]], low: 0.5, high: 2, op: { $0[0] / $0[1] },
               reference: { naiveBroadcast($0[0], [3, 4], $0[1], [4], /) }),
        OpCase(name: "neg", shapes: [[7]], op: { -$0[0] }, reference: { naiveMap($0[0]) { -$0 } }),
        OpCase(name: "exp", shapes: [[2, 5]], op: { $0[0].exp() }, reference: { naiveMap($0[0], Foundation.exp) }),
        OpCase(name: "log", shapes: [[2, 5]], low: 0.5, high: 2, op: { $0[0].log() }, reference: { naiveMap($0[0], Foundation.log) }),
        OpCase(name: "sqrt", shapes: [[9]], low: 0.5, high: 2, op: { $0[0].sqrt() }, reference: { naiveMap($0[0], Foundation.sqrt) }),
    ]
    static let rows2: [OpCase] = [
        OpCase(name: "rsqrt", shapes: [[9]], low: 0.5, high: 2, op: { $0[0].rsqrt() }, reference: { naiveMap($0[0]) { 1 / Foundation.sqrt($0) } }),
        OpCase(name: "pow scalar 3", shapes: [[2, 3]], op: { $0[0].pow(3) }, reference: { naiveMap($0[0]) { $0 * $0 * $0 } }),
        OpCase(name: "pow tensor^tensor", shapes: [[2, 3], [3]], low: 0.5, high: 1.5, op: { Tensor.pow($0[0], $0[1]) },
               reference: { naiveBroadcast($0[0], [2, 3], $0[1], [3]) { Foundation.pow($0, $1) } }),
        OpCase(name: "abs", shapes: [[11]], kink: nearZero, op: { $0[0].abs() }, reference: { naiveMap($0[0], Swift.abs) }),
        OpCase(name: "clamp [-0.5, 0.5]", shapes: [[13]], kink: { _, v in Swift.abs(Swift.abs(v) - 0.5) < 0.03 },
               op: { $0[0].clamped(min: -0.5, max: 0.5) }, reference: { naiveMap($0[0]) { Swift.min(Swift.max($0, -0.5), 0.5) } }),
    ]
    static let rows3: [OpCase] = [
        OpCase(name: "where(mask, a, b) broadcast", shapes: [[2, 3], [2, 3], [3]], constantInputs: [0],
               op: { Tensor.where(Tensor.greater($0[0], Tensor(0)), $0[1], $0[2]) },
               reference: { whereReference($0) }),
        OpCase(name: "maximum", shapes: [[2, 5], [5]], eps: 1e-3, op: { Tensor.maximum($0[0], $0[1]) },
               reference: { naiveBroadcast($0[0], [2, 5], $0[1], [5], Swift.max) }),
        OpCase(name: "minimum", shapes: [[2, 5], [2, 1]], eps: 1e-3, op: { Tensor.minimum($0[0], $0[1]) },
               reference: { naiveBroadcast($0[0], [2, 5], $0[1], [2, 1], Swift.min) }),
    ]
    static let rows4: [OpCase] = [
        // Reductions.
        OpCase(name: "sum axes [0,2]", shapes: [[2, 3, 5]], op: { $0[0].sum(axes: [0, 2]) },
               reference: { sumAxes02Reference($0[0]) }),
        OpCase(name: "sum all", shapes: [[3, 7]], op: { $0[0].sum() }, reference: { [Float($0[0].map(Double.init).reduce(0, +))] }),
        OpCase(name: "mean axis 1 keepDims", shapes: [[2, 3, 5]], op: { $0[0].mean(axis: 1, keepDims: true) },
               reference: { naiveReduce($0[0], [2, 3, 5], axis: 1) { $0.reduce(0, +) / Double($0.count) } }),
        OpCase(name: "variance axis -1 (biased)", shapes: [[3, 7]], op: { $0[0].variance(axes: [-1]) },
               reference: { naiveReduce($0[0], [3, 7], axis: 1, varianceOf) }),
    ]
    static let rows5: [OpCase] = [
        OpCase(name: "max axis 1", shapes: [[2, 5, 3]], op: { $0[0].max(axis: 1) },
               reference: { naiveReduce($0[0], [2, 5, 3], axis: 1) { $0.max()! } }),
        OpCase(name: "softmax axis 1", shapes: [[2, 5, 3]], op: { $0[0].softmax(axis: 1) },
               reference: { softmaxAxis1Reference($0[0]) }),
        OpCase(name: "logSoftmax axis -1", shapes: [[3, 7]], low: -3, high: 3, op: { $0[0].logSoftmax(axis: -1) },
               reference: { ReferenceKernels.softmaxRows($0[0], n: 7, log: true) }),
        OpCase(name: "logSumExp axis -1", shapes: [[3, 4]], op: { $0[0].logSumExp(axis: -1) },
               reference: { naiveReduce($0[0], [3, 4], axis: 1, logSumExpOf) }),
    ]
    static let rows6: [OpCase] = [
        // Views.
        OpCase(name: "reshape + permute [2,0,1]", shapes: [[2, 3, 4]], op: { $0[0].reshaped([6, 4]).reshaped([2, 3, 4]).permuted([2, 0, 1]) },
               reference: { permute201Reference($0[0]) }),
        OpCase(name: "transposed [B,C,T]->[B,T,C]", shapes: [[2, 3, 5]], op: { $0[0].transposed(1, 2) },
               reference: { transposeReference($0[0]) }),
        OpCase(name: "sliced step 2", shapes: [[2, 9]], op: { $0[0].sliced(axis: 1, 1..<8, step: 2) },
               reference: { v in interleave([v[0]], chunks: [9], count: 2).enumerated().filter { $0.offset % 9 % 2 == 1 && $0.offset % 9 < 8 }.map(\.element) }),
        OpCase(name: "concatenated axis 1", shapes: [[2, 2, 3], [2, 1, 3]], op: { Tensor.concatenated($0, axis: 1) },
               reference: { interleave($0, chunks: [6, 3], count: 2) }),
    ]
    static let rows7: [OpCase] = [
        OpCase(name: "stacked axis 1", shapes: [[2, 3], [2, 3]], op: { Tensor.stacked($0, axis: 1) },
               reference: { interleave($0, chunks: [3, 3], count: 2) }),
        OpCase(name: "split + recombine", shapes: [[2, 5]], op: { x in let p = x[0].split([2, 3], axis: 1); return Tensor.concatenated([p[1], p[0] * 3], axis: 1) },
               reference: { splitReference($0[0]) }),
        OpCase(name: "padded axis 2 (2, 3)", shapes: [[2, 1, 3]], op: { $0[0].padded(axis: 2, before: 2, after: 3) },
               reference: { interleave([[Float](repeating: 0, count: 4), $0[0], [Float](repeating: 0, count: 6)], chunks: [2, 3, 3], count: 2) }),
        OpCase(name: "expanded [3,1] -> [2,3,4]", shapes: [[3, 1]], op: { $0[0].expanded(to: [2, 3, 4]) },
               reference: { v in (0..<24).map { v[0][($0 / 4) % 3] } }),
    ]
    static let rows8: [OpCase] = [
        // Linear algebra.
        OpCase(name: "matmul [3,5]x[5,4]", shapes: [[3, 5], [5, 4]], op: { Tensor.matmul($0[0], $0[1]) },
               reference: { ReferenceKernels.matmul($0[0], $0[1], m: 3, n: 4, k: 5) }),
        OpCase(name: "matmul Aᵀ·B [5,3]ᵀx[5,4]", shapes: [[5, 3], [5, 4]], op: { Tensor.matmul($0[0], $0[1], transposeA: true) },
               reference: { ReferenceKernels.matmul($0[0], $0[1], m: 3, n: 4, k: 5, transA: true) }),
        OpCase(name: "matmul A·Bᵀ [3,5]x[4,5]ᵀ", shapes: [[3, 5], [4, 5]], op: { Tensor.matmul($0[0], $0[1], transposeB: true) },
               reference: { ReferenceKernels.matmul($0[0], $0[1], m: 3, n: 4, k: 5, transB: true) }),
        OpCase(name: "matmul Aᵀ·Bᵀ", shapes: [[5, 3], [4, 5]], op: { Tensor.matmul($0[0], $0[1], transposeA: true, transposeB: true) },
               reference: { ReferenceKernels.matmul($0[0], $0[1], m: 3, n: 4, k: 5, transA: true, transB: true) }),
    ]
    static let rows9: [OpCase] = [
        OpCase(name: "batched matmul [2,3,5]x[2,5,4]", shapes: [[2, 3, 5], [2, 5, 4]], op: { Tensor.matmul($0[0], $0[1]) },
               reference: { v in (0..<2).flatMap { b in ReferenceKernels.matmul(Array(v[0][(b * 15)..<(b * 15 + 15)]), Array(v[1][(b * 20)..<(b * 20 + 20)]), m: 3, n: 4, k: 5) } }),
        OpCase(name: "batched matmul [2,3,5]x[5,4] shared", shapes: [[2, 3, 5], [5, 4]], op: { Tensor.matmul($0[0], $0[1]) },
               reference: { ReferenceKernels.matmul($0[0], $0[1], m: 6, n: 4, k: 5) }),
        OpCase(name: "batched matmul Q·Kᵀ [2,3,4]x[2,5,4]ᵀ", shapes: [[2, 3, 4], [2, 5, 4]], op: { Tensor.matmul($0[0], $0[1], transposeB: true) },
               reference: { v in (0..<2).flatMap { b in ReferenceKernels.matmul(Array(v[0][(b * 12)..<(b * 12 + 12)]), Array(v[1][(b * 20)..<(b * 20 + 20)]), m: 3, n: 5, k: 4, transB: true) } }),
        OpCase(name: "linear [2,3,5]·[4,5]ᵀ+[4]", shapes: [[2, 3, 5], [4, 5], [4]], op: { Tensor.linear($0[0], weight: $0[1], bias: $0[2]) },
               reference: { v in zip(ReferenceKernels.matmul(v[0], v[1], m: 6, n: 4, k: 5, transB: true), (0..<24).map { v[2][$0 % 4] }).map(+) }),
    ]
    static let rows10: [OpCase] = [
        // Convolutions: odd lengths, stride, dilation, groups.
        OpCase(name: "conv1d k3 pad(1,1) bias", shapes: [[2, 3, 11], [4, 3, 3], [4]],
               op: { Tensor.conv1d($0[0], weight: $0[1], bias: $0[2], padding: (1, 1)) },
               reference: { v in ReferenceKernels.conv1d(v[0], batch: 2, inChannels: 3, inLength: 11, v[1], outChannels: 4, kernel: 3, bias: v[2], stride: 1, padLeft: 1, padRight: 1, dilation: 1, groups: 1).values }),
        OpCase(name: "conv1d stride 2 dilation 2 pad(2,1)", shapes: [[2, 3, 12], [2, 3, 3]],
               op: { Tensor.conv1d($0[0], weight: $0[1], stride: 2, padding: (2, 1), dilation: 2) },
               reference: { v in ReferenceKernels.conv1d(v[0], batch: 2, inChannels: 3, inLength: 12, v[1], outChannels: 2, kernel: 3, bias: nil, stride: 2, padLeft: 2, padRight: 1, dilation: 2, groups: 1).values }),
        OpCase(name: "conv1d groups 2 (GEMM path)", shapes: [[1, 4, 9], [6, 2, 3], [6]],
               op: { Tensor.conv1d($0[0], weight: $0[1], bias: $0[2], padding: (1, 0), groups: 2) },
               reference: { v in ReferenceKernels.conv1d(v[0], batch: 1, inChannels: 4, inLength: 9, v[1], outChannels: 6, kernel: 3, bias: v[2], stride: 1, padLeft: 1, padRight: 0, dilation: 1, groups: 2).values }),
        OpCase(name: "conv1d depthwise k5 same", shapes: [[2, 4, 13], [4, 1, 5]],
               op: { Tensor.conv1d($0[0], weight: $0[1], padding: (2, 2), groups: 4) },
               reference: { v in ReferenceKernels.conv1d(v[0], batch: 2, inChannels: 4, inLength: 13, v[1], outChannels: 4, kernel: 5, bias: nil, stride: 1, padLeft: 2, padRight: 2, dilation: 1, groups: 4).values }),
    ]
    static let rows11: [OpCase] = [
        OpCase(name: "conv1d depthwise stride 2 dilation 3", shapes: [[1, 3, 17], [3, 1, 3], [3]],
               op: { Tensor.conv1d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: (3, 2), dilation: 3, groups: 3) },
               reference: { v in ReferenceKernels.conv1d(v[0], batch: 1, inChannels: 3, inLength: 17, v[1], outChannels: 3, kernel: 3, bias: v[2], stride: 2, padLeft: 3, padRight: 2, dilation: 3, groups: 3).values }),
        OpCase(name: "conv1d FSMN [Cout,2,K,1] groups 3 dilation 2", shapes: [[2, 6, 15], [3, 2, 5, 1]],
               op: { Tensor.conv1d($0[0], weight: $0[1], padding: (4, 4), dilation: 2, groups: 3) },
               reference: { v in ReferenceKernels.conv1d(v[0], batch: 2, inChannels: 6, inLength: 15, v[1], outChannels: 3, kernel: 5, bias: nil, stride: 1, padLeft: 4, padRight: 4, dilation: 2, groups: 3).values }),
        OpCase(name: "conv1d pointwise k1", shapes: [[2, 5, 7], [3, 5, 1], [3]],
               op: { Tensor.conv1d($0[0], weight: $0[1], bias: $0[2]) },
               reference: { v in ReferenceKernels.conv1d(v[0], batch: 2, inChannels: 5, inLength: 7, v[1], outChannels: 3, kernel: 1, bias: v[2], stride: 1, padLeft: 0, padRight: 0, dilation: 1, groups: 1).values }),
        OpCase(name: "conv1d encoder k16 stride 8", shapes: [[1, 1, 45], [4, 1, 16]],
               op: { Tensor.conv1d($0[0], weight: $0[1], stride: 8) },
               reference: { v in ReferenceKernels.conv1d(v[0], batch: 1, inChannels: 1, inLength: 45, v[1], outChannels: 4, kernel: 16, bias: nil, stride: 8, padLeft: 0, padRight: 0, dilation: 1, groups: 1).values }),
        OpCase(name: "convTranspose1d k4 stride 2 pad 1 bias", shapes: [[2, 3, 7], [3, 2, 4], [2]],
               op: { Tensor.convTranspose1d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) },
               reference: { v in ReferenceKernels.convTranspose1d(v[0], batch: 2, inChannels: 3, inLength: 7, v[1], outPerGroup: 2, kernel: 4, bias: v[2], stride: 2, padding: 1, outputPadding: 0, dilation: 1, groups: 1).values }),
    ]
    static let rows12: [OpCase] = [
        OpCase(name: "convTranspose1d groups 3 stride 3 dilation 2 outputPadding 1", shapes: [[1, 6, 5], [6, 1, 3]],
               op: { Tensor.convTranspose1d($0[0], weight: $0[1], stride: 3, outputPadding: 1, dilation: 2, groups: 3) },
               reference: { v in ReferenceKernels.convTranspose1d(v[0], batch: 1, inChannels: 6, inLength: 5, v[1], outPerGroup: 1, kernel: 3, bias: nil, stride: 3, padding: 0, outputPadding: 1, dilation: 2, groups: 3).values }),
        OpCase(name: "convTranspose1d decoder k16 stride 8", shapes: [[1, 4, 5], [4, 1, 16]],
               op: { Tensor.convTranspose1d($0[0], weight: $0[1], stride: 8) },
               reference: { v in ReferenceKernels.convTranspose1d(v[0], batch: 1, inChannels: 4, inLength: 5, v[1], outPerGroup: 1, kernel: 16, bias: nil, stride: 8, padding: 0, outputPadding: 0, dilation: 1, groups: 1).values }),
    ]
    static let rows13: [OpCase] = [
        // Normalization.
        OpCase(name: "layerNorm [2,3,7]", shapes: [[2, 3, 7], [7], [7]], op: { Tensor.layerNorm($0[0], weight: $0[1], bias: $0[2]) },
               reference: { v in ReferenceKernels.normalizeRows(v[0], rows: 6, n: 7, eps: 1e-5, gain: v[1], shift: v[2]) { _, i in i } }),
        OpCase(name: "groupNorm 2 groups [2,4,5]", shapes: [[2, 4, 5], [4], [4]], op: { Tensor.groupNorm($0[0], groups: 2, weight: $0[1], bias: $0[2]) },
               reference: { v in ReferenceKernels.normalizeRows(v[0], rows: 4, n: 10, eps: 1e-5, gain: v[1], shift: v[2]) { r, i in (r % 2) * 2 + i / 5 } }),
        OpCase(name: "groupNorm 1 group (gLN) eps 1e-8", shapes: [[2, 3, 5], [3], [3]], op: { Tensor.groupNorm($0[0], groups: 1, weight: $0[1], bias: $0[2], eps: 1e-8) },
               reference: { v in ReferenceKernels.normalizeRows(v[0], rows: 2, n: 15, eps: 1e-8, gain: v[1], shift: v[2]) { _, i in i / 5 } }),
        OpCase(name: "instanceNorm [2,3,9]", shapes: [[2, 3, 9], [3], [3]], op: { Tensor.instanceNorm($0[0], weight: $0[1], bias: $0[2]) },
               reference: { v in ReferenceKernels.normalizeRows(v[0], rows: 6, n: 9, eps: 1e-5, gain: v[1], shift: v[2]) { r, _ in r % 3 } }),
    ]
    static let rows14: [OpCase] = [
        OpCase(name: "scaleNorm [3,6]", shapes: [[3, 6], [1]], op: { Tensor.scaleNorm($0[0], gain: $0[1]) },
               reference: { scaleNormReference($0[0], gain: $0[1][0]) }),
    ]
    static let rows15: [OpCase] = [
        // Activations.
        OpCase(name: "relu", shapes: [[3, 5]], kink: nearZero, op: { $0[0].relu() }, reference: { naiveMap($0[0]) { Swift.max($0, 0) } }),
        OpCase(name: "squaredReLU", shapes: [[3, 5]], kink: nearZero, op: { $0[0].squaredReLU() }, reference: { naiveMap($0[0]) { Swift.max($0, 0) * Swift.max($0, 0) } }),
        OpCase(name: "sigmoid", shapes: [[3, 5]], low: -4, high: 4, op: { $0[0].sigmoid() }, reference: { naiveMap($0[0]) { 1 / (1 + Foundation.exp(-$0)) } }),
        OpCase(name: "tanh", shapes: [[3, 5]], low: -2, high: 2, op: { $0[0].tanh() }, reference: { naiveMap($0[0], Foundation.tanh) }),
    ]
    static let rows16: [OpCase] = [
        OpCase(name: "silu", shapes: [[3, 5]], low: -4, high: 4, op: { $0[0].silu() }, reference: { naiveMap($0[0]) { $0 / (1 + Foundation.exp(-$0)) } }),
        OpCase(name: "gelu (erf)", shapes: [[3, 5]], low: -3, high: 3, op: { $0[0].gelu() }, reference: { naiveMap($0[0]) { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) } }),
        OpCase(name: "gelu (tanh approximation)", shapes: [[3, 5]], low: -3, high: 3, op: { $0[0].gelu(approximate: true) },
               reference: { naiveMap($0[0]) { 0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) } }),
        OpCase(name: "prelu one slope", shapes: [[2, 3, 4], [1]], kink: { i, v in i == 0 && Swift.abs(v) < 0.03 }, op: { $0[0].prelu($0[1]) },
               reference: { v in v[0].map { $0 > 0 ? $0 : v[1][0] * $0 } }),
        OpCase(name: "prelu per channel", shapes: [[2, 3, 4], [3]], kink: { i, v in i == 0 && Swift.abs(v) < 0.03 }, op: { $0[0].prelu($0[1]) },
               reference: { v in v[0].enumerated().map { i, x in x > 0 ? x : v[1][(i / 4) % 3] * x } }),
    ]
    static let rows17: [OpCase] = [
        OpCase(name: "dropout p 0.3 (seeded)", shapes: [[4, 5]], op: { x in var rng = SplitMix64(seed: 3); return x[0].dropout(0.3, using: &rng) },
               reference: { v in var rng = SplitMix64(seed: 3); return v[0].map { x in rng.nextUniform() >= 0.3 ? x / 0.7 : 0 } }),
    ]
    static let rows18: [OpCase] = [
        // Positions.
        OpCase(name: "rotary 4 of 6 dims [2,5,6]", shapes: [[2, 5, 6]], op: { $0[0].rotaryEmbedding(rotaryDims: 4) },
               reference: { rotaryReference($0[0]) }),
    ]
    static let rows19: [OpCase] = [
        // Frames-first depthwise conv (ConvModule, FSMN memory): SIMD channel blocks of 8 plus a tail, edges.
        OpCase(name: "depthwiseConv1dFramesFirst k5 [2,13,4]", shapes: [[2, 13, 4], [4, 1, 5]],
               op: { Tensor.depthwiseConv1dFramesFirst($0[0], weight: $0[1]) },
               reference: { v in depthwiseFramesFirstReference(v[0], batch: 2, frames: 13, channels: 4, v[1], kernel: 5, dilation: 1, residual: false) }),
        OpCase(name: "depthwiseConv1dFramesFirst residual dilation 2 [C,1,K,1] [2,12,10]", shapes: [[2, 12, 10], [10, 1, 3, 1]],
               op: { Tensor.depthwiseConv1dFramesFirst($0[0], weight: $0[1], dilation: 2, residual: true) },
               reference: { v in depthwiseFramesFirstReference(v[0], batch: 2, frames: 12, channels: 10, v[1], kernel: 3, dilation: 2, residual: true) }),
        // Fused ops of the MossFormer2 attention layer.
        OpCase(name: "sigmoidGate a·b·σ(c·d)", shapes: [[2, 3, 4], [2, 3, 4], [2, 3, 4], [2, 3, 4]], low: -2, high: 2,
               op: { Tensor.sigmoidGate($0[0], $0[1], $0[2], $0[3]) },
               reference: { v in (0..<24).map { i in v[0][i] * v[1][i] / (1 + Float(Foundation.exp(Double(-v[2][i] * v[3][i])))) } }),
        OpCase(name: "tokenShifted 3 of 5 features [2,4,5]", shapes: [[2, 4, 5]],
               op: { $0[0].tokenShifted(delayedFeatures: 3) },
               reference: { v in (0..<40).map { i in
                   let (b, t, f) = (i / 20, (i / 5) % 4, i % 5)
                   return f >= 3 ? v[0][i] : (t == 0 ? 0 : v[0][(b * 4 + t - 1) * 5 + f])
               } }),
    ]
    static let cases: [OpCase] = rows0 + rows1 + rows2 + rows3 + rows4 + rows5 + rows6 + rows7 + rows8 + rows9 + rows10 + rows11 + rows12 + rows13 + rows14 + rows15 + rows16 + rows17 + rows18 + rows19

    @Test(arguments: cases)
    func forwardMatchesReference(_ row: OpCase) throws {
        let inputs = row.shapes.enumerated().map { i, s in
            TensorAssertions.randomTensor(s, low: row.low, high: row.high, seed: UInt64(100 + i), requiresGrad: false)
        }
        let out = row.op(inputs)
        let oracle = try #require(row.reference)
        let reference: [Float] = oracle(inputs.map { $0.scalars })
        #expect(out.count == reference.count, "\(row.name): \(out.shape) vs \(reference.count) reference values")
        let error = TensorAssertions.maxRelativeError(out.scalars, reference)
        #expect(error <= row.forwardTolerance, "\(row.name): forward error \(error)")
    }

    @Test(arguments: cases)
    func backwardMatchesCentralDifferences(_ row: OpCase) {
        let inputs = row.shapes.enumerated().map { i, s in
            TensorAssertions.randomTensor(s, low: row.low, high: row.high, seed: UInt64(100 + i),
                                          requiresGrad: !row.constantInputs.contains(i))
        }
        let reports = GradientCheck.check(inputs, eps: row.eps, skip: { i, _, v in row.kink(i, v) }, op: row.op)
        #expect(reports.count == inputs.count - row.constantInputs.count)
        for report in reports {
            #expect(report.compared > 0, "\(row.name): nothing compared")
            #expect(report.error <= row.tolerance, "\(row.name): \(report)")
        }
    }
}

/// Softmax over axis 1 of `[2, 5, 3]`, by transposing to rows.
private func softmaxAxis1Reference(_ x: [Float]) -> [Float] {
    let rows: [Float] = Tensor(x, shape: Shape([2, 5, 3])).permuted([0, 2, 1]).scalars
    let soft: [Float] = ReferenceKernels.softmaxRows(rows, n: 5)
    return Tensor(soft, shape: Shape([2, 3, 5])).permuted([0, 2, 1]).scalars
}

private func sumAxes02Reference(_ x: [Float]) -> [Float] {
    (0..<3).map { (c: Int) -> Float in
        var s = 0.0
        for b in 0..<2 { for t in 0..<5 { s += Double(x[(b * 3 + c) * 5 + t]) } }
        return Float(s)
    }
}

private func varianceOf(_ x: [Double]) -> Double {
    let m = x.reduce(0, +) / Double(x.count)
    return x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count)
}

private func logSumExpOf(_ x: [Double]) -> Double { Foundation.log(x.map(Foundation.exp).reduce(0, +)) }

private func permute201Reference(_ x: [Float]) -> [Float] {
    // [2, 3, 4] -> [4, 2, 3]
    var y = [Float](repeating: 0, count: 24)
    for a in 0..<2 { for b in 0..<3 { for k in 0..<4 { y[(k * 2 + a) * 3 + b] = x[(a * 3 + b) * 4 + k] } } }
    return y
}

private func transposeReference(_ x: [Float]) -> [Float] {
    // [2, 3, 5] -> [2, 5, 3]
    var y = [Float](repeating: 0, count: 30)
    for b in 0..<2 { for c in 0..<3 { for t in 0..<5 { y[(b * 5 + t) * 3 + c] = x[(b * 3 + c) * 5 + t] } } }
    return y
}

private func scaleNormReference(_ x: [Float], gain: Float) -> [Float] {
    var y = x
    for r in 0..<3 {
        var ss = 0.0
        for j in 0..<6 { ss += Double(x[r * 6 + j]) * Double(x[r * 6 + j]) }
        let norm = Swift.max(ss.squareRoot() / 6.0.squareRoot(), 1e-5)
        for j in 0..<6 { y[r * 6 + j] = Float(Double(x[r * 6 + j]) / norm * Double(gain)) }
    }
    return y
}

private func rotaryReference(_ x: [Float]) -> [Float] {
    // [2, 5, 6], rotary on the first 4 features.
    var y = x
    for r in 0..<2 {
        for t in 0..<5 {
            for j in 0..<2 {
                let inv = Float(1 / Foundation.pow(10000.0, Double(2 * j) / 4))
                let theta = Double(Float(t) * inv)
                let i = (r * 5 + t) * 6 + 2 * j
                let (a, b) = (Double(x[i]), Double(x[i + 1]))
                y[i] = Float(a * Foundation.cos(theta) - b * Foundation.sin(theta))
                y[i + 1] = Float(b * Foundation.cos(theta) + a * Foundation.sin(theta))
            }
        }
    }
    return y
}

private func whereReference(_ v: [[Float]]) -> [Float] {
    let b = naiveBroadcast(v[1], Shape([2, 3]), v[2], Shape([3])) { _, y in y }
    return (0..<6).map { v[0][$0] > 0 ? v[1][$0] : b[$0] }
}

/// Concatenates, for `i in 0..<count`, chunk `i` (of length `chunks[j]`) of every array `j`.
private func interleave(_ arrays: [[Float]], chunks: [Int], count: Int) -> [Float] {
    var out: [Float] = []
    for i in 0..<count {
        for (a, n) in zip(arrays, chunks) { out.append(contentsOf: a[(i * n)..<(i * n + n)]) }
    }
    return out
}

private func splitReference(_ x: [Float]) -> [Float] {
    var out: [Float] = []
    for r in 0..<2 {
        out.append(contentsOf: x[(r * 5 + 2)..<(r * 5 + 5)])
        for j in 0..<2 { out.append(x[r * 5 + j] * 3) }
    }
    return out
}

/// The frames-first depthwise conv through the channels-first reference conv: transpose, conv, transpose back.
func depthwiseFramesFirstReference(
    _ x: [Float], batch: Int, frames: Int, channels: Int, _ w: [Float], kernel: Int, dilation: Int, residual: Bool
) -> [Float] {
    var channelsFirst = [Float](repeating: 0, count: x.count)
    for b in 0..<batch { for t in 0..<frames { for c in 0..<channels {
        channelsFirst[(b * channels + c) * frames + t] = x[(b * frames + t) * channels + c]
    } } }
    let pad = dilation * (kernel - 1) / 2
    let y = ReferenceKernels.conv1d(channelsFirst, batch: batch, inChannels: channels, inLength: frames, w, outChannels: channels,
                                    kernel: kernel, bias: nil, stride: 1, padLeft: pad, padRight: pad, dilation: dilation,
                                    groups: channels).values
    var out = [Float](repeating: 0, count: x.count)
    for b in 0..<batch { for t in 0..<frames { for c in 0..<channels {
        let i = (b * frames + t) * channels + c
        out[i] = y[(b * channels + c) * frames + t] + (residual ? x[i] : 0)
    } } }
    return out
}
