import Foundation
import Streaming
import Testing
import TestSupport

/// Shipped models are found by name in the search path, and the separator by the input's rate.
@Suite struct ModelLocatorTests {
    @Test func theSeparatorFollowsTheInputRateAndTheFirstFolderWins() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for folder in ["a/mossformer2-8k", "b/mossformer2-8k", "b/mossformer2-16k"] {
            try FileManager.default.createDirectory(atPath: dir.file(folder), withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: dir.file(folder + "/config.json"), contents: Data("{}".utf8))
        }
        let folders = [dir.file("a"), dir.file("b")]
        #expect(ModelLocator.shipped("mossformer2-8k", in: folders) == dir.file("a/mossformer2-8k"))
        #expect(ModelLocator.separator(forInputRate: 44_100, in: folders) == dir.file("b/mossformer2-16k"))
        #expect(ModelLocator.separator(forInputRate: 8_000, in: folders) == dir.file("a/mossformer2-8k"))
        #expect(ModelLocator.separator(forInputRate: 4_000, in: folders) == dir.file("a/mossformer2-8k"))
        #expect(ModelLocator.shipped("kws-cab-12", in: folders) == nil)
    }
}
