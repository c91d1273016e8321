import Foundation
import Separation
@testable import SepKWSCommands
import TensorCore
import Testing
import TestSupport

@Suite struct ConvertModelCommandTests {
    @Test func float16KeepsKeysMetadataAndTheSeparation() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let source = try SeparateCommandTests.tinyModel(in: dir)
        try Data("# card\n".utf8).write(to: URL(fileURLWithPath: (source as NSString).appendingPathComponent("README.md")))
        let out = dir.file("tiny-f16")
        #expect(SepKWS.run(["convert-model", source, "--out", out, "--dtype", "f16"]) == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["README.md", "config.json", "model.safetensors"])
        #expect(!FileManager.default.fileExists(atPath: out + ".partial"))

        let original = try SafeTensors.read(contentsOf: URL(fileURLWithPath: source + "/model.safetensors"))
        let converted = try SafeTensors.read(contentsOf: URL(fileURLWithPath: out + "/model.safetensors"))
        #expect(Set(converted.tensors.keys) == Set(original.tensors.keys))
        #expect(Set(converted.storedDTypes.values) == [.f16])
        #expect(converted.metadata == original.metadata)
        for (key, tensor) in original.tensors {
            #expect(converted.tensors[key]!.shape == tensor.shape)
            // Round to nearest float16: at most half a unit in the last place, 2^-11 relative, of normal numbers;
            // a fixed 2^-24 floor covers the subnormals.
            for (a, b) in zip(tensor.scalars, converted.tensors[key]!.scalars) {
                #expect(abs(a - b) <= abs(a) * 0x1p-11 + 0x1p-24, "\(key): \(a) -> \(b)")
            }
        }
        // The half-precision model separates as the float32 one does.
        let mixture = (0..<4_000).map { Float(0.2 * sin(Double($0) * 0.05) + 0.1 * sin(Double($0) * 0.31)) }
        let a = try MossFormer2Separator(directory: source).separate(mixture)
        let b = try MossFormer2Separator(directory: out).separate(mixture)
        for (x, y) in zip(a, b) { expectClose(y, x, relativeToMax: 1e-2, "float16 model's output") }

        // Back to float32 gives exactly the float16 values.
        let back = dir.file("tiny-f32")
        #expect(SepKWS.run(["convert-model", out, "--out", back, "--dtype", "f32"]) == 0)
        let widened = try SafeTensors.read(contentsOf: URL(fileURLWithPath: back + "/model.safetensors"))
        #expect(Set(widened.storedDTypes.values) == [.f32])
        for (key, tensor) in converted.tensors { #expect(widened.tensors[key]!.scalars == tensor.scalars) }
    }

    @Test func refusesWhatItCannotConvertFaithfully() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let source = try SeparateCommandTests.tinyModel(in: dir)
        // The source is never the destination, and an existing folder is never replaced.
        #expect(SepKWS.run(["convert-model", source, "--out", source + "/"]) == 2)
        try FileManager.default.createDirectory(atPath: dir.file("taken"), withIntermediateDirectories: true)
        let taken = try CommandLineRunner.run(["convert-model", source, "--out", dir.file("taken")])
        #expect(taken.status == 1 && taken.stderr.contains("taken: already exists"))
        #expect(SepKWS.run(["convert-model", source, "--out", dir.file("x"), "--dtype", "f8"]) == 2)

        // A weight beyond float16's range is refused by name; bfloat16 holds it.
        let big = dir.file("big")
        try FileManager.default.createDirectory(atPath: big, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: big + "/config.json"))
        try SafeTensors.write(["w": Tensor([1, -70_000, 2], shape: [3])], to: URL(fileURLWithPath: big + "/model.safetensors"))
        let overflow = try CommandLineRunner.run(["convert-model", big, "--out", dir.file("big16")])
        #expect(overflow.status == 1 && overflow.stderr.contains("'w' holds -70000.0, beyond float16's range"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("big16")))
        #expect(SepKWS.run(["convert-model", big, "--out", dir.file("big-bf16"), "--dtype", "bf16"]) == 0)

        // Not a model folder; truncated weights: the file and the cause, status 1, nothing written.
        let missing = try CommandLineRunner.run(["convert-model", dir.file("nowhere"), "--out", dir.file("y")])
        #expect(missing.status == 1 && missing.stderr.contains("nowhere: no such model folder"))
        let weights = try Data(contentsOf: URL(fileURLWithPath: source + "/model.safetensors"))
        try weights.prefix(weights.count / 2).write(to: URL(fileURLWithPath: source + "/model.safetensors"))
        let truncated = try CommandLineRunner.run(["convert-model", source, "--out", dir.file("z")])
        #expect(truncated.status == 1 && truncated.stderr.contains("tiny-model/model.safetensors: "))
        #expect(!FileManager.default.fileExists(atPath: dir.file("z")) && !FileManager.default.fileExists(atPath: dir.file("z.partial")))
    }
}
