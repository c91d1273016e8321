import Foundation
import NN
import Separation
import Streaming
import Testing
import TestSupport

/// `inspect`'s facts about a model folder, read from its files alone.
@Suite struct ModelSummaryTests {
    @Test func aSeparatorFolderIsSummarizedAndAMissingConfigNamed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let separator = try MossFormer2Separator(configuration: .tiny, dropout: 0, seed: 1)
        try separator.write(directory: dir.file("sep"))
        let summary = try ModelSummary(directory: dir.file("sep"))
        #expect(summary.kind == "separator" && summary.speakers == 2 && summary.sampleRate == 8_000)
        #expect(summary.parameters >= separator.parameterCount && summary.labels == nil && summary.dtype == "F32")
        #expect(summary.text.hasPrefix("\(dir.file("sep")): separator"))
        #expect(try summary.jsonLine().contains("\"kind\":\"separator\""))
        #expect(throws: ModelDirectoryError.noSuchDirectory(path: dir.file("none"))) {
            try ModelSummary(directory: dir.file("none"))
        }
    }
}
