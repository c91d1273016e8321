// swift-tools-version: 6.1
// SepKWS: speech separation and keyword spotting on a CPU, in one native binary.
// Layering (lowest first) is described in README.md, "Design": a target's layer is one more than the highest layer it
// imports, and every edge below is one that the target's sources import.
import PackageDescription

let package = Package(
    name: "sepkws",
    products: [
        .executable(name: "sepkws", targets: ["sepkws"]),
        // Every library target but the C ones and Workloads (whose API is `package`: it is for this package's benchmarks).
        .library(
            name: "SepKWS",
            targets: [
                "AudioIO", "DSP", "TensorCore", "NN", "InformationTheory", "Voices", "SpeechSynthesis", "AudioDatasets",
                "CorpusSynthesis", "Separation", "KeywordSpotting", "Streaming", "Training", "Evaluation", "InformationBottleneck",
                "SepKWSCommands",
            ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Layer 0: C libraries from Debian, found through pkg-config, and our vector kernels in C (AVX-512 / AVX2 /
        // baseline variants picked at run time; no special flags).
        .systemLibrary(name: "CSndfile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        .target(name: "CKernels"),

        // Layer 1: audio files (and the stop signal, atomic outputs, JSON lines, .npy writing); who speaks in a synthetic
        // corpus (engine families, voices and their identities, the engines' voice tables, SynthesisError: data only,
        // no engine runs); signal processing; tensors (the only importer of the C kernels); mutual-information
        // estimators (binning, KDE, KSG, Ross's mixed, PCA + KSG), .npy reading, LAPACK eigen-solver.
        .target(name: "AudioIO", dependencies: ["CSndfile", "CSoxr"]),
        .target(name: "Voices"),
        .target(name: "DSP", dependencies: ["CFFTW", .product(name: "RealModule", package: "swift-numerics")]),
        .target(
            name: "TensorCore",
            dependencies: ["COpenBLAS", "CKernels", .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "InformationTheory", dependencies: ["COpenBLAS"]),

        // Layer 2: speech engines run as programs (espeak-ng, MBROLA, Festival, SVOX Pico, Kokoro; the Whisper
        // intelligibility judge); layers, losses, optimizers and model folders (ModelDirectory: AudioIO's
        // AtomicDirectory writes them); dataset loaders (LibriMix, WSJ0-mix, Speech Commands, corpus manifests),
        // batch-separation inputs and outputs, and the separator's training augmentation (rooms, filters, codecs; FFT
        // convolution from DSP). The loaders do not link the synthesizers.
        .target(name: "SpeechSynthesis", dependencies: ["Voices"]),
        .target(name: "NN", dependencies: ["TensorCore", "AudioIO", .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "AudioDatasets", dependencies: ["AudioIO", "DSP", "Voices"]),

        // Layer 3: the MossFormer2 separator; the keyword spotter (front end, encoder, classifier, inference); the
        // benchmark workloads of `sepkws bench` and KernelBenchmarks (GEMM shapes, the fused inference block, a training
        // step); corpus synthesis (keyword, mixture, speech, stream and wake-word corpora, the voice catalog and its
        // speaker splits, intelligibility judging): the only library that runs the speech engines.
        .target(name: "Separation", dependencies: ["NN", "TensorCore"]),
        .target(name: "KeywordSpotting", dependencies: ["NN", "TensorCore", "DSP", "AudioIO"]),
        .target(name: "Workloads", dependencies: ["NN", "TensorCore"]),
        .target(name: "CorpusSynthesis", dependencies: ["AudioDatasets", "SpeechSynthesis", "Voices", "AudioIO"]),

        // Layer 4: streaming executors (chunked separation, whole-file separation, streaming keyword detection) and
        // model folders (lookup, summary, conversion); the trainers (separator, keyword pretraining with its
        // pretraining model, fine-tuning) and their machinery (checkpoints, logs, runner, settings files,
        // augmentation, samplers).
        .target(name: "Streaming", dependencies: ["Separation", "KeywordSpotting", "NN", "AudioIO", "DSP", "TensorCore"]),
        .target(name: "Training", dependencies: ["NN", "TensorCore", "AudioIO", "AudioDatasets", "Voices", "Separation", "KeywordSpotting"]),

        // Layer 5: metrics, evaluators (files, splits, streams; separation through Streaming's FileSeparator), reports,
        // wake-word threshold calibration.
        .target(
            name: "Evaluation",
            dependencies: [
                "AudioIO", "AudioDatasets", "KeywordSpotting", "Streaming", "TensorCore",
                .product(name: "RealModule", package: "swift-numerics"),
            ]),

        // Layer 6: information-bottleneck tools (information plane, VIB-gate compression).
        .target(
            name: "InformationBottleneck",
            dependencies: [
                "KeywordSpotting", "Separation", "InformationTheory", "Training", "AudioDatasets", "AudioIO", "Evaluation", "NN", "TensorCore",
            ]),

        // Layer 7: the command line (every subcommand, as a library the tests can run); layer 8: its executable.
        .target(
            name: "SepKWSCommands",
            dependencies: [
                "AudioIO", "DSP", "TensorCore", "NN", "Voices", "SpeechSynthesis", "AudioDatasets", "CorpusSynthesis", "Separation",
                "KeywordSpotting", "Streaming", "Training", "Evaluation", "InformationTheory", "InformationBottleneck", "Workloads",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "sepkws", dependencies: ["SepKWSCommands"]),

        // Tests.
        .target(
            name: "TestSupport", dependencies: ["AudioIO", "AudioDatasets", "Voices", "Separation", "KeywordSpotting", "TensorCore"], path: "Tests/TestSupport",
            resources: [.copy("Fixtures")]),
        .testTarget(name: "AudioIOTests", dependencies: ["AudioIO", "TestSupport"]),
        .testTarget(name: "DSPTests", dependencies: ["DSP", "AudioIO", "TestSupport"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"]),
        .testTarget(name: "AudioDatasetsTests", dependencies: ["AudioDatasets", "Voices", "AudioIO", "TensorCore", "TestSupport"]),
        .testTarget(
            name: "CorpusSynthesisTests",
            dependencies: ["CorpusSynthesis", "AudioDatasets", "SpeechSynthesis", "Voices", "AudioIO", "TensorCore", "TestSupport"]),
        .testTarget(name: "SeparationTests", dependencies: ["Separation", "NN", "TensorCore", "TestSupport"]),
        .testTarget(name: "StreamingTests", dependencies: ["Streaming", "Separation", "KeywordSpotting", "NN", "AudioIO", "TensorCore", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "KeywordSpotting", "Separation", "NN", "TensorCore", "AudioIO", "AudioDatasets", "CorpusSynthesis", "DSP", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "TensorCore", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Streaming", "AudioIO", "AudioDatasets", "TestSupport"]),
        .testTarget(name: "KeywordSpottingTests", dependencies: ["KeywordSpotting", "NN", "TensorCore", "TestSupport"]),
        .testTarget(name: "InformationTheoryTests", dependencies: ["InformationTheory", "TensorCore"]),
        .testTarget(name: "InformationBottleneckTests", dependencies: ["InformationBottleneck", "KeywordSpotting", "Separation", "NN", "TensorCore", "AudioIO", "Training"]),
        .testTarget(name: "SepKWSCommandsTests", dependencies: ["SepKWSCommands", "InformationTheory", "InformationBottleneck", "KeywordSpotting", "AudioIO", "AudioDatasets", "CorpusSynthesis", "Evaluation", "Streaming", "TensorCore", "Training", "TestSupport"]),

        // Benchmarks: `swift package benchmark --target KernelBenchmarks`.
        .executableTarget(
            name: "KernelBenchmarks",
            dependencies: ["TensorCore", "Workloads", .product(name: "Benchmark", package: "benchmark")],
            path: "Tests/Benchmarks/KernelBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ],
    swiftLanguageModes: [.v6]
)
