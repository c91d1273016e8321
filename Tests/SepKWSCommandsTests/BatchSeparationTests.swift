import AudioIO
import Foundation
import Separation
@testable import SepKWSCommands
import Testing
import TestSupport

/// `separate` as a scheduler's worker: shards, mirrored output trees, --skip-existing, manifests, input lists.
@Suite struct BatchSeparationTests {
    /// A folder of `count` short mixtures in two subfolders with clashing names, and a tiny model.
    static func corpus(_ dir: TemporaryDirectory, count: Int = 9) throws -> (folder: String, model: String) {
        let model = try SeparateCommandTests.tinyModel(in: dir)
        for i in 0..<count {
            let sub = dir.file("in/\(i % 2 == 0 ? "a" : "b/deep")")
            try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
            let step = 0.01 * Double(i + 1)
            let mix: [Float] = (0..<4_000).map { (n: Int) -> Float in
                let t = Double(n)
                return Float(0.2 * sin(t * step) + 0.1 * sin(t * 0.37))
            }
            // Names repeat across the two subfolders: mirrored trees keep them apart.
            try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: mix), to: "\(sub)/call\(i / 2).wav")
        }
        return (dir.file("in"), model)
    }

    /// Every file under `folder` by relative path, with its bytes.
    static func tree(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for case let relative as String in FileManager.default.enumerator(atPath: folder)! {
            var isDirectory: ObjCBool = false
            let path = (folder as NSString).appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return files
    }

    static func manifest(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func threeShardsMakeTheWholeRunInAMirroredTree() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (folder, model) = try Self.corpus(dir)
        for out in ["whole", "shards"] { try FileManager.default.createDirectory(atPath: dir.file(out), withIntermediateDirectories: true) }
        #expect(SepKWS.run(["separate", folder, "--model", model, "--out-dir", dir.file("whole"), "--json"]) == 0)
        let whole = try Self.tree(dir.file("whole"))
        #expect(whole.count == 18)
        #expect(whole["a/call0_s1.wav"] != nil && whole["b/deep/call0_s2.wav"] != nil)
        var sizes: [Int] = []
        for k in 1...3 {
            #expect(SepKWS.run(["separate", folder, "--model", model, "--out-dir", dir.file("shards"), "--shard", "\(k)/3",
                                "--manifest", dir.file("m.jsonl"), "--json"]) == 0)
            sizes.append(try Self.tree(dir.file("shards")).count - sizes.reduce(0, +))
        }
        #expect(sizes.allSatisfy { $0 > 0 }, "\(sizes)")
        #expect(try Self.tree(dir.file("shards")) == whole)
        let lines = try Self.manifest(dir.file("m.jsonl"))
        #expect(lines.count == 9 && Set(lines.compactMap { $0["file"] as? String }).count == 9 && lines.allSatisfy { $0["input"] == nil })
        #expect(lines.allSatisfy { $0["status"] as? String == "ok" && ($0["seconds"] as? Double ?? 0) > 0.4 && ($0["outputs"] as? [String])?.count == 2 })
    }

    @Test func skipExistingResumesAKilledShardAndAnInputListFeedsTheFailedOnesBack() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (folder, model) = try Self.corpus(dir, count: 4)
        try FileManager.default.createDirectory(atPath: dir.file("out"), withIntermediateDirectories: true)
        // A bad input is recorded and the others still run; the exit status says something failed.
        try Data("not audio".utf8).write(to: URL(fileURLWithPath: "\(folder)/a/broken.wav"))
        #expect(SepKWS.run(["separate", folder, "--model", model, "--out-dir", dir.file("out"), "--manifest", dir.file("m.jsonl")]) == 1)
        var lines = try Self.manifest(dir.file("m.jsonl"))
        #expect(lines.filter { $0["status"] as? String == "ok" }.count == 4)
        let failed = lines.filter { $0["status"] as? String == "error" }
        #expect(failed.count == 1 && (failed[0]["error"] as? String ?? "").contains("broken.wav"))
        // A second run with --skip-existing separates nothing again.
        let before = try Self.tree(dir.file("out"))
        try FileManager.default.removeItem(atPath: "\(folder)/a/broken.wav")
        #expect(SepKWS.run(["separate", folder, "--model", model, "--out-dir", dir.file("out"), "--skip-existing", "--manifest", dir.file("m2.jsonl")]) == 0)
        lines = try Self.manifest(dir.file("m2.jsonl"))
        #expect(lines.count == 4 && lines.allSatisfy { $0["status"] as? String == "skipped" })
        #expect(try Self.tree(dir.file("out")) == before)
        // An output removed (a preempted task) is made again, and only that input runs.
        try FileManager.default.removeItem(atPath: dir.file("out/b/deep/call0_s2.wav"))
        #expect(SepKWS.run(["separate", folder, "--model", model, "--out-dir", dir.file("out"), "--skip-existing", "--manifest", dir.file("m3.jsonl")]) == 0)
        #expect(try Self.manifest(dir.file("m3.jsonl")).filter { $0["status"] as? String == "ok" }.count == 1)
        #expect(try Self.tree(dir.file("out")) == before)
        // --inputs reads plain paths and manifest lines; with --relative-to the tree is mirrored as before.
        try "# a comment\n\n\(folder)/a/call0.wav\n{\"file\": \"\(folder)/b/deep/call1.wav\", \"status\": \"error\"}\n"
            .write(toFile: dir.file("list.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir.file("again"), withIntermediateDirectories: true)
        #expect(SepKWS.run(["separate", "--inputs", dir.file("list.txt"), "--relative-to", folder, "--model", model,
                            "--out-dir", dir.file("again")]) == 0)
        let again = try Self.tree(dir.file("again"))
        #expect(Set(again.keys) == ["a/call0_s1.wav", "a/call0_s2.wav", "b/deep/call1_s1.wav", "b/deep/call1_s2.wav"])
        #expect(again["a/call0_s1.wav"] == before["a/call0_s1.wav"])
    }

    @Test func badShardsListsAndRootsAreClearErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (folder, model) = try Self.corpus(dir, count: 2)
        for shard in ["0/3", "4/3", "3", "a/b", "1/0"] {
            let result = try CommandLineRunner.run(["separate", folder, "--model", model, "--shard", shard])
            #expect(result.status == 2 && result.stderr.contains("--shard"), "\(shard): \(result.stderr)")
        }
        var result = try CommandLineRunner.run(["separate", "--inputs", dir.file("missing.txt"), "--model", model])
        #expect(result.status == 1 && result.stderr.contains("missing.txt"))
        try "{\"path_typo\": 1}\n".write(toFile: dir.file("bad.jsonl"), atomically: true, encoding: .utf8)
        result = try CommandLineRunner.run(["separate", "--inputs", dir.file("bad.jsonl"), "--model", model])
        #expect(result.status == 1 && result.stderr.contains("bad.jsonl:1"))
        result = try CommandLineRunner.run(["separate", "\(folder)/a/call0.wav", "--relative-to", dir.file("elsewhere"),
                                            "--out-dir", dir.path, "--model", model])
        #expect(result.status == 1 && result.stderr.contains("not under --relative-to"))
    }
}
