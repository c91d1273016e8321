import Foundation
import Testing
import TestSupport
@testable import Training

/// `--settings FILE.json`: options over the file over the defaults; typos and bad values are errors naming the file.
@Suite struct SettingsFileTests {
    struct Inner: Codable, Equatable { var rate: Double; var name: String }
    struct Settings: Codable, Equatable {
        var steps: Int
        var seed: UInt64
        var folders: [String]
        var inner: Inner
        var optional: Int?
        enum CodingKeys: String, CodingKey { case steps, seed, folders, inner, optional = "optional_value" }
    }

    static let defaults = Settings(steps: 100, seed: 1, folders: [], inner: Inner(rate: 0.5, name: "a"), optional: nil)

    func write(_ text: String, in dir: TemporaryDirectory) throws -> String {
        let path = dir.file("settings.json")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func optionsOverrideTheFileWhichOverridesTheDefaults() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try write(#"{"steps": 500, "seed": 9, "folders": ["x"], "inner": {"name": "b"}, "optional_value": 3}"#, in: dir)
        var flags = Self.defaults
        flags.seed = 4   // given on the command line
        let merged = try SettingsFile.merged(file: file, flags: flags, defaults: Self.defaults)
        #expect(merged == Settings(steps: 500, seed: 4, folders: ["x"], inner: Inner(rate: 0.5, name: "b"), optional: 3))
        // Without the file's keys the options and defaults stand.
        let empty = try write("{}", in: dir)
        #expect(try SettingsFile.merged(file: empty, flags: flags, defaults: Self.defaults) == flags)
    }

    @Test func unknownKeysWrongTypesAndBadFilesNameTheFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let typo = try write(#"{"stepz": 5}"#, in: dir)
        #expect(throws: TrainingError.settingsFile(path: typo, reason: "unknown key \"stepz\"")) {
            try SettingsFile.merged(file: typo, flags: Self.defaults, defaults: Self.defaults)
        }
        let nested = try write(#"{"inner": {"rte": 1}}"#, in: dir)
        #expect(throws: TrainingError.settingsFile(path: nested, reason: "unknown key \"inner.rte\"")) {
            try SettingsFile.merged(file: nested, flags: Self.defaults, defaults: Self.defaults)
        }
        let wrong = try write(#"{"steps": "many"}"#, in: dir)
        #expect(throws: TrainingError.self) { try SettingsFile.merged(file: wrong, flags: Self.defaults, defaults: Self.defaults) }
        let notJSON = try write("steps = 5", in: dir)
        #expect(throws: TrainingError.settingsFile(path: notJSON, reason: "not a JSON object")) {
            try SettingsFile.merged(file: notJSON, flags: Self.defaults, defaults: Self.defaults)
        }
        #expect(throws: TrainingError.settingsFile(path: dir.file("none.json"), reason: "cannot be read")) {
            try SettingsFile.merged(file: dir.file("none.json"), flags: Self.defaults, defaults: Self.defaults)
        }
    }
}
