import Foundation
import NN
import TensorCore
import Testing
import TestSupport

/// ``ModelDirectory``: the one reader and writer of model folders (every model kind goes through it).
@Suite struct ModelDirectoryTests {
    static let format = ModelFormat(name: "sepkws-test", version: 2)

    @Test func writeThenReadGivesTheConfigurationWeightsAndFormat() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layer = Linear(inputFeatures: 3, outputFeatures: 2, seed: 4)
        let folder = ModelDirectory(dir.file("model"))
        let config = Data(#"{"width": 3}"#.utf8)
        try folder.write(configuration: config, weights: layer.stateDict(), format: Self.format, metadata: ["note": "x"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["config.json", "model.safetensors"])
        #expect(try folder.readConfiguration() == config + Data("\n".utf8))
        let weights = try folder.readWeights(format: Self.format)
        #expect(weights.metadata == ["format": "sepkws-test", "format_version": "2", "config": #"{"width": 3}"#, "note": "x"])
        let copy = Linear(inputFeatures: 3, outputFeatures: 2, seed: 9)
        try ModelDirectory.load(weights.tensors, into: copy, from: folder.weightsPath)
        #expect(copy.weight.scalars == layer.weight.scalars && copy.bias?.scalars == layer.bias?.scalars)
        #expect(folder.hasConfiguration && !ModelDirectory(dir.file("none")).hasConfiguration)
    }

    @Test func missingFoldersFilesAndWrongFormatsAreNamed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(throws: ModelDirectoryError.noSuchDirectory(path: dir.file("none"))) { try ModelDirectory(dir.file("none")).readConfiguration() }
        #expect(throws: ModelDirectoryError.missingFile(path: dir.file("config.json"))) { try ModelDirectory(dir.path).readConfiguration() }
        #expect(throws: ModelDirectoryError.missingFile(path: dir.file("model.safetensors"))) { try ModelDirectory(dir.path).readWeights(format: nil) }
        #expect(ModelDirectoryError.noSuchDirectory(path: "m").description == "m: no such model folder (expected config.json and model.safetensors)")

        let weights = URL(fileURLWithPath: dir.file("model.safetensors"))
        let x = ["x": Tensor([1], shape: [1])]
        try SafeTensors.write(x, metadata: ["format": "sepkws-kws", "format_version": "1"], to: weights)
        #expect(throws: ModelDirectoryError.wrongFormat(path: weights.path, found: "sepkws-kws", expected: "sepkws-test")) {
            try ModelDirectory(dir.path).readWeights(format: Self.format)
        }
        try SafeTensors.write(x, metadata: ["format": "sepkws-test", "format_version": "1"], to: weights)
        let old = #expect(throws: ModelDirectoryError.self) { try ModelDirectory(dir.path).readWeights(format: Self.format) }
        #expect(old?.description == "\(weights.path): format version 1; this build reads 2")
        try SafeTensors.write(x, to: weights)
        #expect(throws: ModelDirectoryError.wrongFormat(path: weights.path, found: "none", expected: "sepkws-test")) {
            try ModelDirectory(dir.path).readWeights(format: Self.format)
        }
        // A kind that does not require its format takes foreign weights (a converted reference checkpoint) and its
        // legacy spelling, but not another SepKWS kind's.
        let lenient = ModelFormat(name: "sepkws-test", version: 2, isRequired: false, legacyNames: ["sepkws-test/2"])
        #expect(try ModelDirectory(dir.path).readWeights(format: lenient).tensors.keys.sorted() == ["x"])
        try SafeTensors.write(x, metadata: ["format": "sepkws-test/2"], to: weights)
        #expect(try ModelDirectory(dir.path).readWeights(format: lenient).tensors.count == 1)
        try SafeTensors.write(x, metadata: ["format": "sepkws-kws"], to: weights)
        #expect(throws: ModelDirectoryError.wrongFormat(path: weights.path, found: "sepkws-kws", expected: "sepkws-test")) {
            try ModelDirectory(dir.path).readWeights(format: lenient)
        }
        try Data("garbage".utf8).write(to: weights)
        let unreadable = #expect(throws: ModelDirectoryError.self) { try ModelDirectory(dir.path).readWeights(format: nil) }
        #expect(unreadable?.description.hasPrefix("\(weights.path): unreadable safetensors: ") == true)
    }

    @Test func loadingIsStrict() throws {
        let layer = Linear(inputFeatures: 3, outputFeatures: 2, seed: 4)
        var tensors = layer.stateDict()
        tensors["extra"] = Tensor([1], shape: [1])
        tensors["weight"] = Tensor.zeros([2, 4])
        let error = #expect(throws: ModelDirectoryError.self) { try ModelDirectory.load(tensors, into: layer, from: "m/model.safetensors") }
        #expect(error?.description == "m/model.safetensors: weights do not fit the configuration: Unexpected keys (in the checkpoint, not in the model): extra; Shape mismatch for 'weight': model expects [2, 3], checkpoint has [2, 4]")
    }

    @Test func writingReplacesTheFolderWholeOrNotAtAll() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let folder = ModelDirectory(dir.file("model"))
        let layer = Linear(inputFeatures: 2, outputFeatures: 2, seed: 1)
        try folder.write(configuration: Data("{}".utf8), weights: layer.stateDict(), format: Self.format)
        // A fill that fails leaves the old folder as it was and no partial folder beside it.
        struct Interrupted: Error {}
        #expect(throws: ModelDirectoryError.writeFailed(path: folder.path, reason: "Interrupted()")) {
            try folder.writeAtomically { new in
                try Data("{\"a\": 1}".utf8).write(to: URL(fileURLWithPath: new.configurationPath))
                throw Interrupted()
            }
        }
        #expect(try folder.readConfiguration() == Data("{}\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model"])
        // replaceConfiguration leaves the weights as they are.
        let before = try Data(contentsOf: URL(fileURLWithPath: folder.weightsPath))
        try folder.replaceConfiguration(Data("{\"b\": 2}".utf8))
        #expect(try folder.readConfiguration() == Data("{\"b\": 2}\n".utf8))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.weightsPath)) == before)
        // A file where the folder should be is refused, never replaced.
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir.file("file")))
        #expect(throws: ModelDirectoryError.writeFailed(path: dir.file("file"), reason: "exists and is a file, not a directory; not replaced")) {
            try ModelDirectory(dir.file("file")).write(configuration: Data("{}".utf8), weights: layer.stateDict(), format: Self.format)
        }
    }

    @Test func rewritingKeepsTheCardAndTrainingFolder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let folder = ModelDirectory(dir.file("model"))
        let layer = Linear(inputFeatures: 2, outputFeatures: 2, seed: 1)
        try folder.write(configuration: Data("{}".utf8), weights: layer.stateDict(), format: Self.format)
        try Data("# card\n".utf8).write(to: URL(fileURLWithPath: dir.file("model/README.md")))
        try FileManager.default.createDirectory(atPath: dir.file("model/training"), withIntermediateDirectories: false)
        try Data("step\n".utf8).write(to: URL(fileURLWithPath: dir.file("model/training/log.csv")))
        try folder.write(configuration: Data("{\"c\": 3}".utf8), weights: layer.stateDict(), format: Self.format)
        #expect(try folder.readConfiguration() == Data("{\"c\": 3}\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["README.md", "config.json", "model.safetensors", "training"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("model/training/log.csv"))) == Data("step\n".utf8))
    }
}
