import AudioIO
import Foundation
import Voices

/// A Google Speech Commands folder (v1 or v2, real or made by `sepkws synth kws`): one folder per word,
/// `validation_list.txt`, `testing_list.txt` and `_background_noise_/`.
///
/// In the 12-class task (and with custom keywords) the other words become `_unknown_`, and `_silence_` examples are
/// window-long crops of the background noises, as many as 10% of the split's word clips, at offsets fixed by the seed.
/// Folders named `_unknown_` and `_silence_` (as in the official v2 test set) hold clips of those classes; when a
/// `_silence_` folder exists, no crops are made.
///
/// Without `validation_list.txt` and `testing_list.txt` (the official test set's layout), every clip is in the test
/// split; with one of them missing, its split is empty. A split may be empty: the caller checks the one it needs.
public struct SpeechCommandsDataset: Sendable {
    /// The dataset folder.
    public let root: String
    /// The task.
    public let labelSet: KeywordLabelSet
    /// Examples per split.
    public let examples: [CorpusSplit: [KeywordExample]]
    /// Background noise files.
    public let noiseFiles: [String]

    /// The examples of `split`.
    /// - Throws: ``DatasetError/emptySplit(split:path:)`` when it has none.
    public func examples(in split: CorpusSplit) throws -> [KeywordExample] {
        guard let found = examples[split], !found.isEmpty else { throw DatasetError.emptySplit(split: split.rawValue, path: root) }
        return found
    }

    /// Reads the layout.
    /// - Throws: ``DatasetError`` naming what is missing or empty.
    /// - Parameters:
    ///   - root: the folder.
    ///   - labelSet: the task (which folders are classes).
    ///   - seed: fixes the `_silence_` crops.
    ///   - windowSamples: the length of a `_silence_` crop (16,000 for 1 s windows).
    public init(root: String, labelSet: KeywordLabelSet, seed: UInt64 = 0, windowSamples: Int = 16_000) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError.missingFolder(path: root, layout: "Speech Commands")
        }
        let base = root as NSString
        let listed = ["validation_list.txt", "testing_list.txt"].contains { fm.fileExists(atPath: base.appendingPathComponent($0)) }
        func list(_ name: String) throws -> Set<String> {
            let path = base.appendingPathComponent(name)
            guard fm.fileExists(atPath: path) else { return [] }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return Set(text.split(whereSeparator: \.isNewline).map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        let validation = try list("validation_list.txt"), testing = try list("testing_list.txt")
        let labels = labelSet.labels
        var examples: [CorpusSplit: [KeywordExample]] = [.train: [], .dev: [], .test: []]
        let words = try fm.contentsOfDirectory(atPath: root).filter { name in
            var isFolder: ObjCBool = false
            let special = name == KeywordLabelSet.unknown || name == KeywordLabelSet.silence
            return (special || !name.hasPrefix("_")) && !name.hasPrefix(".") && fm.fileExists(atPath: base.appendingPathComponent(name), isDirectory: &isFolder) && isFolder.boolValue
        }.sorted()
        guard !words.isEmpty else { throw DatasetError.missingFolder(path: root, layout: "Speech Commands (word folders)") }
        for word in words {
            guard let label = labelSet.label(forFolder: word) else { continue }
            for file in try fm.contentsOfDirectory(atPath: base.appendingPathComponent(word)).sorted() where file.lowercased().hasSuffix(".wav") {
                let relative = "\(word)/\(file)"
                let split: CorpusSplit = !listed || testing.contains(relative) ? .test : validation.contains(relative) ? .dev : .train
                examples[split]!.append(KeywordExample(path: base.appendingPathComponent(relative), label: label, word: word))
            }
        }
        let noiseFolder = base.appendingPathComponent("_background_noise_")
        noiseFiles = (try? AudioFolder.files(in: noiseFolder)) ?? []
        let silenceFolder = fm.fileExists(atPath: base.appendingPathComponent(KeywordLabelSet.silence))
        if labelSet.hasFillerClasses && !silenceFolder {
            guard !noiseFiles.isEmpty else {
                throw DatasetError.missingFolder(path: noiseFolder, layout: labelSet == .twelve ? "Speech Commands (12 classes need _silence_ from it)" : "Speech Commands (_silence_ is made from it)")
            }
            let lengths = try noiseFiles.map { try AudioFileReader(path: $0).info.frameCount }
            let silence = labels.firstIndex(of: KeywordLabelSet.silence)!
            for (s, split) in CorpusSplit.allCases.enumerated() where !examples[split]!.isEmpty {
                let count = max(1, examples[split]!.count / 10)
                for i in 0..<count {
                    let seedValue = derivedSeed(seed, s, i)
                    let file = Int(seedValue % UInt64(noiseFiles.count))
                    let start = Int((seedValue >> 20) % UInt64(max(1, lengths[file] - windowSamples)))
                    examples[split]!.append(KeywordExample(path: noiseFiles[file], label: silence, word: "_background_noise_", cropStart: start))
                }
            }
        }
        guard examples.values.contains(where: { !$0.isEmpty }) else { throw DatasetError.emptySplit(split: "any", path: root) }
        self.root = root
        self.labelSet = labelSet
        self.examples = examples
    }

    private init(root: String, labelSet: KeywordLabelSet, examples: [CorpusSplit: [KeywordExample]], noiseFiles: [String]) {
        self.root = root
        self.labelSet = labelSet
        self.examples = examples
        self.noiseFiles = noiseFiles
    }

    /// This dataset's examples and noises followed by `other`'s, split by split (`train-kws --data A --data B`): the
    /// root stays this one's. Both must be read for the same task.
    public func merged(with other: SpeechCommandsDataset) -> SpeechCommandsDataset {
        precondition(other.labelSet == labelSet, "merged datasets must share the task")
        var joined = examples
        for (split, more) in other.examples { joined[split, default: []] += more }
        return SpeechCommandsDataset(root: root, labelSet: labelSet, examples: joined, noiseFiles: noiseFiles + other.noiseFiles.filter { !noiseFiles.contains($0) })
    }

    /// The dataset without the clips spoken by `engines` (`train-kws --exclude-engines`), as each corpus's
    /// `clips.csv` names them (``KeywordCorpusManifest``); noise crops (`_silence_`) stay.
    /// - Throws: ``DatasetError/malformedManifest(path:line:reason:)`` when a clip's corpus has no `clips.csv` or the
    ///   table does not list it (its engine cannot be told), and ``DatasetError/emptySplit(split:path:)`` when no
    ///   example is left.
    public func excluding(engines: Set<EngineFamily>) throws -> SpeechCommandsDataset {
        guard !engines.isEmpty else { return self }
        var manifests: [String: KeywordCorpusManifest] = [:]
        var kept: [CorpusSplit: [KeywordExample]] = [:]
        for (split, list) in examples {
            kept[split] = try list.filter { example in
                guard example.cropStart == nil else { return true }
                let folder = ((example.path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
                let table = (folder as NSString).appendingPathComponent("clips.csv")
                if manifests[folder] == nil {
                    guard let manifest = try KeywordCorpusManifest(root: folder) else {
                        throw DatasetError.malformedManifest(path: table, line: 0, reason: "missing: the clips' engines cannot be told, so none can be excluded")
                    }
                    manifests[folder] = manifest
                }
                guard let clip = manifests[folder]!.clip(atPath: example.path) else {
                    throw DatasetError.malformedManifest(path: table, line: 0, reason: "does not list \(example.path)")
                }
                return !engines.contains(clip.voice.engine)
            }
        }
        guard kept.values.contains(where: { $0.contains { $0.cropStart == nil } }) else {
            throw DatasetError.emptySplit(split: "any", path: root)
        }
        return SpeechCommandsDataset(root: root, labelSet: labelSet, examples: kept, noiseFiles: noiseFiles)
    }
}
