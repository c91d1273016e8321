import ArgumentParser
import Foundation
import Workloads
import TensorCore

/// `sepkws bench`: speed measurements of the engine and the pipelines (median of several runs,
/// with a baseline measured in the same run).
public struct Bench: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Measure the speed of the engine and the pipelines.",
        subcommands: [
            BenchFeatures.self, BenchSeparate.self, BenchTrainSep.self, BenchGEMM.self, BenchBlock.self, BenchTrainStep.self,
            BenchKWS.self, BenchDetect.self, BenchSeparateLong.self,
        ])

    public init() {}
}

/// Sets the engine's thread counts and prints the system line every engine benchmark starts with.
private func prepareEngine(threads: Int) throws {
    Threading.setThreads(threads)
    try Console.line("system: \(Threading.activeProcessorCount) cores; OpenBLAS \(Threading.blasDescription); \(threads) thread(s)")
}

/// `sepkws bench gemm`: GFLOP/s of the MossFormer2 GEMM shapes, bare cblas_sgemm against the engine.
struct BenchGEMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "GFLOP/s of the MossFormer2 GEMM shapes: bare cblas_sgemm vs the engine's Linear (median of runs).")

    @Option(help: "Number of timed runs per shape; the median is reported.")
    var runs = 7

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        guard (1...1000).contains(runs) else { throw ValidationError("--runs must be 1 to 1000") }
    }

    func run() throws {
        try prepareEngine(threads: threading.threads)
        try Console.line("shape                                  M     K     N   bare GFLOP/s  Inference.linear  Tensor.linear")
        for w in GEMMWorkload.mossFormer2 {
            let t = w.measure(runs: runs)
            let g = { (s: Double) in w.flops / s / 1e9 }
            try Console.line(String(format: "%-34@ %5d %5d %5d   %10.1f   %8.1f (%3.0f%%)  %7.1f (%3.0f%%)",
                                    w.label, w.m, w.k, w.n, g(t.bare), g(t.inference), 100 * t.bare / t.inference,
                                    g(t.tensor), 100 * t.bare / t.tensor))
        }
    }
}

/// `sepkws bench block`: the Linear -> SiLU -> depthwise-conv block in inference mode against the bare GEMM.
struct BenchBlock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "block",
        abstract: "Linear -> SiLU -> depthwise conv (inference, preallocated) vs the bare GEMM of the same shape.")

    @Option(help: "Frames (rows of the GEMM).")
    var frames = 4000
    @Option(help: "Input features.")
    var inFeatures = 256
    @Option(help: "Output features.")
    var outFeatures = 1024
    @Option(help: "Number of timed runs; the median is reported.")
    var runs = 15
    @Flag(help: "Also time the parts (Linear+bias, Linear+bias+SiLU, depthwise conv) separately.")
    var parts = false

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        try OptionBounds.check("--frames", frames, 1...65_536)
        try OptionBounds.check("--in-features", inFeatures, 1...65_536)
        try OptionBounds.check("--out-features", outFeatures, 1...65_536)
        guard (1...1000).contains(runs) else { throw ValidationError("--runs must be 1 to 1000") }
    }

    func run() throws {
        try prepareEngine(threads: threading.threads)
        let gemm = GEMMWorkload(label: "block", m: frames, k: inFeatures, n: outFeatures)
        var rng = SplitMix64(seed: 2)
        let x = Tensor.randomNormal([frames, inFeatures], using: &rng)
        let block = FeedForwardConvBlock(frames: frames, inFeatures: inFeatures, outFeatures: outFeatures)
        // Interleave bare and block runs so both see the same machine state.
        var bare: [Double] = [], fused: [Double] = []
        for _ in 0..<3 {
            bare.append(gemm.measure(runs: runs).bare)
            fused.append(Timing.median(runs: runs) { Autograd.withInferenceMode { block(x) } })
        }
        let b = bare.sorted()[1], f = fused.sorted()[1]
        if parts {
            let lin = Timing.median(runs: runs) { Inference.linear(x, weight: block.weight, bias: block.bias, activation: .silu, into: block.hidden) }
            let linId = Timing.median(runs: runs) { Inference.linear(x, weight: block.weight, bias: block.bias, activation: .identity, into: block.hidden) }
            let dw = Timing.median(runs: runs) { Inference.depthwiseConvFramesFirst(block.hidden, tapsFirstWeight: block.tapsFirst, residual: true, into: block.output) }
            try Console.line(String(format: "  parts: linear+bias %.3f ms, linear+bias+silu %.3f ms, dwconv %.3f ms", linId * 1e3, lin * 1e3, dw * 1e3))
        }
        try Console.line(String(format: "block [%d x %d] -> Linear(%d) -> SiLU -> x + dwconv17", frames, inFeatures, outFeatures))
        try Console.line(String(format: "  bare sgemm      %8.3f ms  %7.1f GFLOP/s", b * 1e3, gemm.flops / b / 1e9))
        try Console.line(String(format: "  fused block     %8.3f ms  %7.1f GFLOP/s (GEMM flops)  = %.0f%% of bare GEMM throughput",
                                f * 1e3, gemm.flops / f / 1e9, 100 * b / f))
    }
}

/// `sepkws bench train-step`: steps per second of a small conv + attention network.
struct BenchTrainStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "Training steps per second of a small conv + attention network (forward, backward, AdamW).")

    @Option(help: "Number of timed steps; the median is reported.")
    var runs = 20

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        guard (1...10_000).contains(runs) else { throw ValidationError("--runs must be 1 to 10000") }
    }

    func run() throws {
        try prepareEngine(threads: threading.threads)
        let workload = TrainStepWorkload()
        let first = workload.step()
        let seconds = Timing.median(runs: runs) { workload.step() }
        let last = workload.step()
        try Console.line(String(format: "train-step: Conv1d(40->64,k3) + TransformerEncoderLayer(64, 4 heads, FF 128) + Linear(64->12), batch [8, 40, 98], %d parameters", workload.parameterCount))
        try Console.line(String(format: "  median %.2f ms per step over %d runs = %.1f steps/s (loss %.3f -> %.3f)",
                                seconds * 1e3, runs, 1 / seconds, first, last))
    }
}
