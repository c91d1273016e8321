import Foundation
import Separation
import Streaming
import Testing
import TestSupport

/// The separator of each input: the one given, loaded once and checked before any input is read.
@Suite struct SeparatorSelectionTests {
    @Test func theGivenModelIsLoadedOnceAndChecked() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try MossFormer2Separator(configuration: .tiny, dropout: 0, seed: 1).write(directory: dir.file("sep"))
        var checked: [String] = []
        let selection = try SeparatorSelection(model: dir.file("sep"), stdinRate: 16_000) { _, folder in checked.append(folder) }
        let first = try selection.separator(for: "-"), second = try selection.separator(for: dir.file("any.wav"))
        #expect(first.model === second.model && first.directory == dir.file("sep") && checked == [dir.file("sep")])
        #expect(try selection.inputRate(of: "-") == 16_000 && selection.takeOpened("-") == nil)
        struct Refused: Error {}
        #expect(throws: Refused.self) { try SeparatorSelection(model: dir.file("sep"), stdinRate: 8_000) { _, _ in throw Refused() } }
    }
}
