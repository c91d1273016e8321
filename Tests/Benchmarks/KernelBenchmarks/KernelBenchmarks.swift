import Benchmark
import Workloads
import TensorCore

// Engine benchmarks: `swift package benchmark --target KernelBenchmarks`.
// Each GEMM shape is measured bare (cblas_sgemm) and through the engine; the Linear -> SiLU -> depthwise
// conv block must allocate nothing per call (mallocCountTotal == 0) once its buffers exist.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 2,
        maxDuration: .seconds(2),
        maxIterations: 50)

    for w in GEMMWorkload.mossFormer2.prefix(4) {
        let name = "[\(w.m)x\(w.k)]x[\(w.k)x\(w.n)]"
        Benchmark("GEMM bare cblas_sgemm \(name)") { benchmark in
            var rng = SplitMix64(seed: 1)
            let x = Tensor.randomNormal([w.m, w.k], using: &rng)
            let weight = Tensor.randomNormal([w.n, w.k], using: &rng)
            let out = Tensor.zeros([w.m, w.n])
            Inference.linear(x, weight: weight, bias: nil, into: out)   // bias nil + identity = one bare sgemm
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                Inference.linear(x, weight: weight, bias: nil, into: out)
                blackHole(out)
            }
        }
        Benchmark("GEMM Tensor.linear (bias, allocating) \(name)") { benchmark in
            var rng = SplitMix64(seed: 1)
            let x = Tensor.randomNormal([w.m, w.k], using: &rng)
            let weight = Tensor.randomNormal([w.n, w.k], using: &rng)
            let bias = Tensor.randomNormal([w.n], using: &rng)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(Tensor.linear(x, weight: weight, bias: bias))
            }
        }
    }

    Benchmark("Block Linear(256->1024)+SiLU+dwconv17 [4000 frames], inference, preallocated") { benchmark in
        var rng = SplitMix64(seed: 2)
        let x = Tensor.randomNormal([4000, 256], using: &rng)
        let block = FeedForwardConvBlock(frames: 4000, inFeatures: 256, outFeatures: 1024)
        block(x)   // warm-up: OpenBLAS buffers, dispatch worker threads
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            block(x)
            blackHole(block.output)
        }
    }

    Benchmark("Train step conv+attention (batch [8, 40, 98], AdamW)") { benchmark in
        let workload = TrainStepWorkload()
        workload.step()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(workload.step()) }
    }
}
