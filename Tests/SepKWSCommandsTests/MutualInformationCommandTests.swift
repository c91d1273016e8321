import Foundation
import InformationTheory
@testable import SepKWSCommands
import TensorCore
import Testing
import TestSupport

/// `sepkws mutual-information`: the .npy reader, the output, and the exit statuses.
@Suite struct MutualInformationCommandTests {
    /// Writes a little-endian C-order `.npy` (format 1.0) of `descriptor` ('<f4', '<f8', '<i8') and `shape`.
    static func writeNumpy(_ path: String, descriptor: String, shape: [Int], bytes: [UInt8]) throws {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dictionary = "{'descr': '\(descriptor)', 'fortran_order': False, 'shape': \(shapeText), }"
        dictionary += String(repeating: " ", count: 63 - (10 + dictionary.utf8.count) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        data.append(contentsOf: [UInt8(dictionary.utf8.count & 0xff), UInt8(dictionary.utf8.count >> 8)])
        data.append(contentsOf: Array(dictionary.utf8) + bytes)
        try data.write(to: URL(fileURLWithPath: path))
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    }

    /// Correlated float32 pair `[n, 1]` (ρ = 0.8, I = -½ ln 0.36) and labels `x > 0`, written to `dir`.
    static func writePair(in dir: TemporaryDirectory, n: Int = 1000) throws {
        var rng = SplitMix64(seed: 3)
        var xs = [Float](), ys = [Float]()
        for _ in 0..<n {
            let a = rng.nextNormal()
            xs.append(a)
            ys.append(0.8 * a + 0.6 * rng.nextNormal())
        }
        try writeNumpy(dir.file("x.npy"), descriptor: "<f4", shape: [n, 1], bytes: littleEndianBytes(xs.map(\.bitPattern)))
        try writeNumpy(dir.file("y.npy"), descriptor: "<f4", shape: [n, 1], bytes: littleEndianBytes(ys.map(\.bitPattern)))
        try writeNumpy(dir.file("labels.npy"), descriptor: "<i8", shape: [n], bytes: littleEndianBytes(xs.map { Int64($0 > 0 ? 1 : 0) }))
        try writeNumpy(dir.file("y64.npy"), descriptor: "<f8", shape: [n], bytes: littleEndianBytes(ys.map { Double($0).bitPattern }))
    }

    @Test func theBinaryPrintsOneJSONObject() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writePair(in: dir)
        let result = try CommandLineRunner.run(["mutual-information", dir.file("x.npy"), dir.file("y.npy"), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["estimator"] as? String == "ksg" && object["n"] as? Int == 1000 && object["k"] as? Int == 3)
        let nats = try #require(object["nats"] as? Double), bits = try #require(object["bits"] as? Double)
        #expect(abs(nats - -0.5 * log(0.36)) < 0.1 * -0.5 * log(0.36))
        #expect(abs(bits - nats / log(2)) < 1e-12)

        let text = try CommandLineRunner.run(["mutual-information", dir.file("x.npy"), dir.file("labels.npy")])
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("I(X;Y) = ") && text.stdout.hasSuffix(" [mixed, k=3, n=1000]\n"), "\(text.stdout)")
    }

    @Test func everyEstimatorRunsFromTheCommandLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writePair(in: dir, n: 300)
        for estimator in ["binning", "kde", "ksg", "pca", "auto"] {
            #expect(SepKWS.run(["mutual-information", dir.file("x.npy"), dir.file("y64.npy"), "--estimator", estimator, "--json"]) == 0)
        }
        #expect(SepKWS.run(["mutual-information", dir.file("x.npy"), dir.file("labels.npy"), "--estimator", "mixed", "-k", "5"]) == 0)
        #expect(SepKWS.run(["mutual-information", dir.file("x.npy"), dir.file("y.npy"), "--estimator", "pca", "--components", "1", "--marginals", "standardize"]) == 0)
    }

    @Test func theReaderTakesFloat32Float64AndInt64() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writePair(in: dir, n: 10)
        let x = try NumpyReader(path: dir.file("x.npy"))
        #expect(x.shape == [10, 1] && x.descriptor == "<f4")
        let y64 = try NumpyReader(path: dir.file("y64.npy"))
        guard case .samples(let y) = y64.contents, case .samples(let x32) = x.contents else { Issue.record("not samples"); return }
        #expect(y.rows == 10 && y.columns == 1 && x32.rows == 10)
        #expect(try NumpyReader(path: dir.file("labels.npy")).contents == .integers(
            x32.values.map { $0 > 0 ? 1 : 0 }))
    }

    @Test func badFilesGetOneLineNamingTheFileAndStatus1() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writePair(in: dir, n: 50)
        try Self.writeNumpy(dir.file("short.npy"), descriptor: "<f4", shape: [3, 1], bytes: Self.littleEndianBytes([Float](repeating: 1, count: 3).map(\.bitPattern)))
        var values = [Float](repeating: 0.5, count: 100)
        values[7] = .infinity
        try Self.writeNumpy(dir.file("inf.npy"), descriptor: "<f4", shape: [50, 2], bytes: Self.littleEndianBytes(values.map(\.bitPattern)))
        try Self.writeNumpy(dir.file("int32.npy"), descriptor: "<i4", shape: [50], bytes: [UInt8](repeating: 0, count: 200))
        try Self.writeNumpy(dir.file("cut.npy"), descriptor: "<f8", shape: [50], bytes: [UInt8](repeating: 0, count: 100))
        try Data("hello".utf8).write(to: URL(fileURLWithPath: dir.file("text.npy")))
        let cases: [([String], String)] = [
            ([dir.file("x.npy"), dir.file("short.npy")], "short.npy: 3 samples, but \(dir.file("x.npy")) has 50"),
            ([dir.file("short.npy"), dir.file("short.npy")], "short.npy: 3 samples; the ksg estimator with k=3 needs at least 4"),
            ([dir.file("x.npy"), dir.file("inf.npy")], "inf.npy: non-finite value at row 3, column 1"),
            ([dir.file("x.npy"), dir.file("int32.npy")], "int32.npy: element type '<i4' is not supported"),
            ([dir.file("x.npy"), dir.file("cut.npy")], "cut.npy: 100 data bytes, but shape [50] of '<f8' needs 400"),
            ([dir.file("text.npy"), dir.file("y.npy")], "text.npy: not a NumPy .npy file"),
            ([dir.file("labels.npy"), dir.file("y.npy")], "labels.npy: int64 labels are accepted for Y only"),
            ([dir.file("missing.npy"), dir.file("y.npy")], "missing.npy: no such file"),
        ]
        for (files, message) in cases {
            let result = try CommandLineRunner.run(["mutual-information"] + files)
            #expect(result.status == 1, "\(files)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(message), "\(result.stderr)")
        }
    }

    @Test func badOptionsGetStatus2() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writePair(in: dir, n: 50)
        let (x, y, labels) = (dir.file("x.npy"), dir.file("y.npy"), dir.file("labels.npy"))
        #expect(SepKWS.run(["mutual-information", x, y, "--estimator", "entropy"]) == 2)
        #expect(SepKWS.run(["mutual-information", x, y, "-k", "0"]) == 2)
        #expect(SepKWS.run(["mutual-information", x, y, "--bins", "1"]) == 2)
        #expect(SepKWS.run(["mutual-information", x, y, "--noise-variance", "0"]) == 2)
        #expect(SepKWS.run(["mutual-information", x, y, "--variance-fraction", "1.5"]) == 2)
        #expect(SepKWS.run(["mutual-information", x, labels, "--estimator", "ksg"]) == 2)
        #expect(SepKWS.run(["mutual-information", x, y, "--estimator", "mixed"]) == 2)
        #expect(SepKWS.run(["mutual-information", x]) == 2)
    }

    @Test func theTextLineNamesTheSettings() {
        let estimate = MutualInformationEstimate(estimator: .ksg, nats: log(2), sampleCount: 2000, neighbors: 3)
        #expect(estimate.textLine == "I(X;Y) = 0.6931 nats (1.0000 bits) [ksg, k=3, n=2000]")
        let pca = MutualInformationEstimate(estimator: .pca, nats: 1, sampleCount: 10, neighbors: 3, components: (2, 4))
        #expect(pca.textLine.hasSuffix("[pca, k=3, components=2+4, n=10]"))
        #expect(pca.jsonLine.hasPrefix("{\"estimator\": \"pca\", \"nats\": 1.0, \"bits\": "))
        #expect(pca.jsonLine.hasSuffix("\"n\": 10, \"k\": 3, \"components\": [2, 4]}"))
    }
}
