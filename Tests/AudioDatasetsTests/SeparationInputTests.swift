import AudioDatasets
import AudioIO
import Foundation
import Testing
import TestSupport

/// The inputs of a batch separation (folders, lists, mirrored trees) and the outputs planned for them.
@Suite struct SeparationInputTests {
    func tree() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        for name in ["in/a.wav", "in/sub/b.wav", "in/sub/b_s1.wav"] {
            try FileManager.default.createDirectory(atPath: (dir.file(name) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: [0.1, 0.2]), to: dir.file(name))
        }
        return dir
    }

    @Test func foldersAreExpandedAndMirroredListsAddInputsAndOutputsAreSkipped() throws {
        let dir = try tree()
        defer { dir.remove() }
        let list = dir.file("list.txt")
        try "# a comment\n\n{\"file\": \"\(dir.file("in/a.wav"))\", \"status\": \"error\"}\n{\"input\": \"\(dir.file("in/a.wav"))\"}\n".write(toFile: list, atomically: true, encoding: .utf8)
        let inputs = try SeparationInput.gather(arguments: [dir.file("in")], lists: [list], relativeTo: nil)
        #expect(inputs.map(\.path) == [dir.file("in/a.wav"), dir.file("in/sub/b.wav"), dir.file("in/a.wav"), dir.file("in/a.wav")])
        #expect(inputs.map(\.mirroredFolder) == ["", "sub", nil, nil])
        #expect(inputs[1].key == "sub/b.wav")
        let outputs = SeparationOutputPlan.outputs(of: inputs[1], speakers: 2, outDir: dir.file("out"), format: "flac")
        #expect(outputs == [dir.file("out/sub/b_s1.flac"), dir.file("out/sub/b_s2.flac")])
        #expect(SeparationOutputPlan.isOutput(outputs[0]) && !SeparationOutputPlan.isOutput(dir.file("in/a.wav")))
        let shards = (0..<3).map { k in inputs.filter { $0.belongs(toShard: k, of: 3) }.count }
        #expect(shards.reduce(0, +) == inputs.count)
    }

    @Test func badListsRootsAndCollidingOutputsAreErrorsNamingThem() throws {
        let dir = try tree()
        defer { dir.remove() }
        let list = dir.file("bad.txt")
        try "{\"output\": 1}\n".write(toFile: list, atomically: true, encoding: .utf8)
        #expect(throws: DatasetError.inputList(path: list, line: 1, reason: "a JSON line needs a \"file\" (or \"input\" or \"path\") string")) {
            try SeparationInput.gather(arguments: [], lists: [list], relativeTo: nil)
        }
        #expect(throws: DatasetError.outsideRelativeRoot(path: dir.file("in/a.wav"), root: dir.file("in/sub"))) {
            try SeparationInput.gather(arguments: [dir.file("in/a.wav")], lists: [], relativeTo: dir.file("in/sub"))
        }
        let twins = [try SeparationInput.gather(arguments: [dir.file("in/a.wav")], lists: [], relativeTo: nil)[0],
                     try SeparationInput.gather(arguments: [dir.file("in/sub/b.wav")], lists: [], relativeTo: nil)[0]]
        // Two inputs named alike in different folders, written flat into one folder, would collide.
        try FileManager.default.copyItem(atPath: dir.file("in/a.wav"), toPath: dir.file("in/sub/a.wav"))
        let same = try SeparationInput.gather(arguments: [dir.file("in/a.wav"), dir.file("in/sub/a.wav")], lists: [], relativeTo: nil)
        #expect(throws: DatasetError.self) {
            try SeparationOutputPlan(inputs: same, outDir: dir.file("in"), format: "wav") { _ in 2 }
        }
        #expect(try SeparationOutputPlan(inputs: twins, outDir: dir.file("in"), format: "wav") { _ in 2 }.entries.count == 2)
    }
}
