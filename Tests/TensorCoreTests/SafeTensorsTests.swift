import Foundation
import Testing
import TensorCore
import TestSupport

@Suite("safetensors")
struct SafeTensorsTests {
    /// Builds raw file bytes from a header string and a data section.
    static func file(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
        let h = Array(header.utf8)
        var out = Data()
        var n = (declaredLength ?? UInt64(h.count)).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: h)
        out.append(contentsOf: data)
        return out
    }

    @Test func roundTripF32KeepsValuesAndMetadata() throws {
        var rng = SplitMix64(seed: 1)
        let a = Tensor.randomNormal([2, 3, 5], using: &rng)
        let b = Tensor.randomNormal([7], using: &rng)
        let scalar = Tensor([3], shape: [])
        let file = SafeTensors(tensors: ["enc.weight": a, "b": b, "s": scalar], metadata: ["config": "{\"n\": 1}", "format": "pt"])
        let decoded = try SafeTensors.decode(file.encoded(dtype: .f32))
        #expect(decoded.tensors["enc.weight"]?.shape == [2, 3, 5])
        #expect(decoded.tensors["enc.weight"]?.scalars == a.scalars)
        #expect(decoded.tensors["b"]?.scalars == b.scalars)
        #expect(decoded.tensors["s"]?.shape == [])
        #expect(decoded.metadata == ["config": "{\"n\": 1}", "format": "pt"])
        #expect(decoded.storedDTypes["b"] == .f32)
    }

    @Test(arguments: [SafeTensorsDType.f16, .bf16])
    func roundTripHalfFormatsWithinPrecision(_ dtype: SafeTensorsDType) throws {
        var rng = SplitMix64(seed: 2)
        let a = Tensor.randomNormal([4, 9], using: &rng)
        let decoded = try SafeTensors.decode(SafeTensors(tensors: ["a": a]).encoded(dtype: dtype))
        let tolerance: Float = dtype == .f16 ? 1.0 / 1024 : 1.0 / 128
        let back = try #require(decoded.tensors["a"]).scalars
        for (x, y) in zip(a.scalars, back) { #expect(Swift.abs(x - y) <= tolerance * Swift.max(1, Swift.abs(x))) }
        #expect(decoded.storedDTypes["a"] == dtype)
    }

    @Test func halfConversionIsExactOnSpecialValuesAndRoundsToNearestEven() throws {
        let values: [Float] = [0, -0.0, 1, -2, 65504, 70000, .infinity, -.infinity, 5.960_464_5e-8, 1e-9, 1 + 1.0 / 2048, 1 + 3.0 / 2048]
        let decoded = try SafeTensors.decode(SafeTensors(tensors: ["h": Tensor(values, shape: [12])]).encoded(dtype: .f16))
        let back = try #require(decoded.tensors["h"]).scalars
        #expect(Array(back[0..<6]) == [0, 0, 1, -2, 65504, .infinity])   // 70000 overflows to infinity
        #expect(back[6] == .infinity && back[7] == -.infinity)
        #expect(back[8] == 5.960_464_5e-8)                                  // smallest subnormal survives
        #expect(back[9] == 0)                                               // below half the smallest subnormal
        #expect(back[10] == 1)                                              // tie -> even mantissa (1.0)
        #expect(back[11] == 1 + 2.0 / 1024)                                 // tie -> even mantissa (1 + 2/1024)
        let nan = try SafeTensors.decode(SafeTensors(tensors: ["n": Tensor([.nan], shape: [1])]).encoded(dtype: .f16))
        #expect(try #require(nan.tensors["n"]).scalars[0].isNaN)
    }

    @Test func readsBF16AndF16WrittenByHand() throws {
        // 1.0 in BF16 is 0x3F80, -2.5 is 0xC020; 1.0 in F16 is 0x3C00, 0.5 is 0x3800.
        let header = #"{"b":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},"h":{"dtype":"F16","shape":[2],"data_offsets":[4,8]}}"#
        let decoded = try SafeTensors.decode(Self.file(header: header, data: [0x80, 0x3F, 0x20, 0xC0, 0x00, 0x3C, 0x00, 0x38]))
        #expect(decoded.tensors["b"]?.scalars == [1, -2.5])
        #expect(decoded.tensors["h"]?.scalars == [1, 0.5])
    }

    @Test func writesAndReadsAFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sepkws-\(UInt64.random(in: 0...UInt64.max)).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(["w": Tensor([1, 2, 3, 4], shape: [2, 2])], metadata: ["k": "v"], to: url)
        let back = try SafeTensors.read(contentsOf: url)
        #expect(back.tensors["w"]?.scalars == [1, 2, 3, 4])
        #expect(back.metadata == ["k": "v"])
    }

    @Test func readingRefusesNonFiniteWeights() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sepkws-\(UInt64.random(in: 0...UInt64.max)).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        for bad in [Float.nan, .infinity, -.infinity] {
            try SafeTensors.write(["a": Tensor([1, 2], shape: [2]), "b.weight": Tensor([1, 2, bad, 4], shape: [2, 2])], to: url)
            #expect {
                try SafeTensors.read(contentsOf: url)
            } throws: { error in
                guard case let .nonFiniteWeight(path, key, index, value) = error as? TensorError else { return false }
                return path == url.path && key == "b.weight" && index == 2 && (value.isNaN ? bad.isNaN : value == bad)
            }
        }
    }

    @Test func missingFileIsAFileAccessError() {
        #expect(throws: TensorError.self) { try SafeTensors.read(contentsOf: URL(fileURLWithPath: "/nonexistent/x.safetensors")) }
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: Data
        let message: String
        var testDescription: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(name: "shorter than the length prefix", bytes: Data([1, 2, 3]),
                  message: "Not a safetensors file: 3 bytes, fewer than the 8-byte header length prefix"),
        Malformed(name: "header length past the end", bytes: file(header: "{}", declaredLength: 1000),
                  message: "safetensors header length 1000 runs past the end of the file (2 bytes after the prefix); the file is truncated or not a safetensors file"),
        Malformed(name: "absurd header size", bytes: file(header: "{}", declaredLength: UInt64.max),
                  message: "safetensors header length 18446744073709551615 exceeds the limit of 100000000 bytes"),
        Malformed(name: "bad JSON", bytes: file(header: #"{"a": {"dtype": "F32""#),
                  message: "Invalid safetensors header: the header is not valid JSON"),
        Malformed(name: "JSON that is not an object", bytes: file(header: "[1, 2]"),
                  message: "Invalid safetensors header: the header is not a JSON object"),
        Malformed(name: "unknown dtype", bytes: file(header: #"{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)),
                  message: "Tensor 'a' has unsupported dtype 'I64' (supported: F32, F16, BF16)"),
        Malformed(name: "offsets out of range", bytes: file(header: #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: [UInt8](repeating: 0, count: 8)),
                  message: "Tensor 'a' has data_offsets [0, 16] outside the data section of 8 bytes"),
        Malformed(name: "reversed offsets", bytes: file(header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, data: [UInt8](repeating: 0, count: 8)),
                  message: "Tensor 'a' has data_offsets [8, 4] outside the data section of 8 bytes"),
        Malformed(name: "overlapping offsets", bytes: file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: [UInt8](repeating: 0, count: 12)),
                  message: "Tensors 'a' and 'b' have overlapping data_offsets"),
        Malformed(name: "shape does not match the byte range", bytes: file(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)),
                  message: "Tensor 'a' of shape [3] and dtype F32 needs 12 bytes but data_offsets span 8"),
        Malformed(name: "huge shape", bytes: file(header: #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)),
                  message: "Tensor 'a' of shape [4611686018427387904, 4] and dtype F32 needs \(Int.max) bytes but data_offsets span 8"),
        Malformed(name: "negative dimension", bytes: file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [UInt8](repeating: 0, count: 4)),
                  message: "Invalid safetensors header: entry 'a' has no 'shape' list of non-negative integers"),
        Malformed(name: "metadata value not a string", bytes: file(header: #"{"__metadata__":{"n":1}}"#),
                  message: "Invalid safetensors header: __metadata__ value for 'n' is not a string"),
    ]

    @Test(arguments: malformed)
    func malformedFileGivesExactError(_ row: Malformed) {
        do {
            _ = try SafeTensors.decode(row.bytes)
            Issue.record("\(row.name): decoded without error")
        } catch {
            #expect(error.description == row.message)
        }
    }
}
