import Foundation

/// Which LibriMix mixture type to read.
public enum MixtureKind: String, Sendable, Codable, CaseIterable {
    /// Speakers only (`mix_clean`).
    case clean = "mix_clean"
    /// Speakers and noise (`mix_both`).
    case both = "mix_both"
}

/// Mixtures with references from the layouts users have: LibriMix (by its metadata CSVs, or by scanning its folders)
/// and WSJ0-2mix / WSJ0-3mix (`{tr,cv,tt}/{mix,s1,s2[,s3]}`).
public enum SeparationDataset {
    /// Finds the layout under `root` and lists one split.
    /// - Parameters:
    ///   - root: a LibriMix corpus (`.../wav8k/min` or a folder above it), a WSJ0-mix folder, or one split's folder
    ///     itself (holding `mix_clean`/`mix_both` or `mix`, and `s1`, `s2`, ...: then `split` is not used).
    ///   - split: `train`, `dev`, `test` (LibriMix; also `train-100`, `train-360`) or `tr`, `cv`, `tt` (WSJ0-mix;
    ///     `train`, `dev`, `test` are mapped to them).
    ///   - mixture: LibriMix mixture type.
    /// - Throws: ``DatasetError`` naming the missing folder, file or empty split.
    public static func examples(root: String, split: String, mixture: MixtureKind = .clean) throws -> [SeparationExample] {
        let fm = FileManager.default
        let base = root as NSString
        // A split's folder itself (LibriMix's `.../wav8k/min/test`, WSJ0-mix's `tt`).
        if fm.fileExists(atPath: base.appendingPathComponent("s1")) {
            for folder in [mixture.rawValue, "mix"] where fm.fileExists(atPath: base.appendingPathComponent(folder)) {
                let examples = try scanned(folder: root, mixtureFolder: folder, noisy: folder == MixtureKind.both.rawValue)
                guard !examples.isEmpty else { throw DatasetError.emptySplit(split: (root as NSString).lastPathComponent, path: root) }
                return examples
            }
            throw DatasetError.missingFolder(path: base.appendingPathComponent(mixture.rawValue), layout: "separation split (\(mixture.rawValue) or mix, beside s1)")
        }
        let wsjSplit = ["train": "tr", "dev": "cv", "test": "tt"][split] ?? split
        if fm.fileExists(atPath: base.appendingPathComponent("\(wsjSplit)/mix")) {
            return try wsj0Mix(root: root, split: wsjSplit)
        }
        guard let layout = libriMixRoot(root) else {
            throw DatasetError.missingFolder(path: root, layout: "LibriMix (wav8k/min or wav16k/min) or WSJ0-mix ({tr,cv,tt}/mix)")
        }
        let metadata = (layout as NSString).appendingPathComponent("metadata/mixture_\(split)_\(mixture.rawValue).csv")
        let examples = fm.fileExists(atPath: metadata)
            ? try libriMixFromMetadata(metadata, layoutRoot: layout)
            : try scanned(folder: (layout as NSString).appendingPathComponent(split), mixtureFolder: mixture.rawValue, noisy: mixture == .both)
        guard !examples.isEmpty else { throw DatasetError.emptySplit(split: split, path: layout) }
        return examples
    }

    /// `root` itself if it holds `train`/`dev`/`test` or `metadata`, else the first `wav8k/min` / `wav16k/min` below it.
    static func libriMixRoot(_ root: String) -> String? {
        let fm = FileManager.default
        if fm.fileExists(atPath: (root as NSString).appendingPathComponent("metadata")) { return root }
        for candidate in ["wav8k/min", "wav16k/min", "wav8k/max", "wav16k/max"] {
            let path = (root as NSString).appendingPathComponent(candidate)
            if fm.fileExists(atPath: path) { return path }
        }
        return nil
    }

    private static func libriMixFromMetadata(_ path: String, layoutRoot: String) throws -> [SeparationExample] {
        let table = try CSVTable(path: path)
        for column in ["mixture_ID", "mixture_path", "source_1_path"] where !table.header.contains(column) {
            throw DatasetError.malformedManifest(path: path, line: 1, reason: "no \(column) column")
        }
        let sourceColumns = table.header.filter { $0.hasPrefix("source_") && $0.hasSuffix("_path") }.sorted()
        // LibriMix writes absolute paths; ours are relative to the corpus folder (two levels above wavXk/min).
        let corpusRoot = ((layoutRoot as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        func resolve(_ value: String) -> String {
            if value.hasPrefix("/"), FileManager.default.fileExists(atPath: value) { return value }
            for base in [corpusRoot, layoutRoot, (path as NSString).deletingLastPathComponent] {
                let candidate = (base as NSString).appendingPathComponent(value)
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
            }
            // An absolute path from another machine: keep its tail below `wavXk/min`.
            if let range = value.range(of: "/wav", options: .backwards) {
                let tail = value[range.lowerBound...].split(separator: "/").dropFirst(2).joined(separator: "/")
                let candidate = (layoutRoot as NSString).appendingPathComponent(tail)
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
            }
            return value
        }
        return try table.rows.indices.map { r in
            let id = table.value("mixture_ID", row: r)!
            let mixture = resolve(table.value("mixture_path", row: r)!)
            let sources = sourceColumns.map { resolve(table.value($0, row: r)!) }
            let noise = table.value("noise_path", row: r).map(resolve)
            for file in [mixture] + sources + (noise.map { [$0] } ?? []) where !FileManager.default.fileExists(atPath: file) {
                throw DatasetError.missingSource(mixture: id, expected: file)
            }
            return SeparationExample(id: id, mixture: mixture, sources: sources, noise: noise)
        }
    }

    private static func wsj0Mix(root: String, split: String) throws -> [SeparationExample] {
        let folder = (root as NSString).appendingPathComponent(split)
        let examples = try scanned(folder: folder, mixtureFolder: "mix", noisy: false)
        guard !examples.isEmpty else { throw DatasetError.emptySplit(split: split, path: root) }
        return examples
    }

    /// Pairs `folder/<mixtureFolder>/X` with `folder/s1/X`, `folder/s2/X`, ... (and `folder/noise/X`).
    private static func scanned(folder: String, mixtureFolder: String, noisy: Bool) throws -> [SeparationExample] {
        let fm = FileManager.default
        let base = folder as NSString
        let mixPath = base.appendingPathComponent(mixtureFolder)
        guard fm.fileExists(atPath: mixPath) else { throw DatasetError.missingFolder(path: mixPath, layout: "separation (mixtures)") }
        var sourceFolders: [String] = []
        while fm.fileExists(atPath: base.appendingPathComponent("s\(sourceFolders.count + 1)")) {
            sourceFolders.append("s\(sourceFolders.count + 1)")
        }
        guard sourceFolders.count >= 2 else {
            throw DatasetError.missingFolder(path: base.appendingPathComponent("s\(sourceFolders.count + 1)"), layout: "separation (sources)")
        }
        return try AudioFolder.files(in: mixPath).map { mixture in
            let name = (mixture as NSString).lastPathComponent
            let sources = sourceFolders.map { base.appendingPathComponent("\($0)/\(name)") }
            for source in sources where !fm.fileExists(atPath: source) {
                throw DatasetError.missingSource(mixture: name, expected: source)
            }
            let noise = noisy ? base.appendingPathComponent("noise/\(name)") : nil
            return SeparationExample(id: (name as NSString).deletingPathExtension, mixture: mixture, sources: sources, noise: noise)
        }
    }
}
