import Foundation

/// Finds shipped models: `$SEPKWS_MODELS`, then `Models/` in the current folder, then `Models/` beside the binary or
/// in the package it was built in (`.build/<config>/sepkws` -> `../../Models`). Used for every default model.
enum ModelLocator {
    /// The shipped separation model used where the audio's rate does not choose one (`detect --separate`, `eval-sep`).
    static let defaultSeparator = "mossformer2-8k"

    /// The shipped separators by sample rate, highest first, among which `separate` chooses by the input's rate.
    static let separatorsByRate = [(name: "mossformer2-16k", sampleRate: 16_000), (name: "mossformer2-8k", sampleRate: 8_000)]

    /// The shipped separator for audio at `inputRate` Hz: the highest-rate one not above it (a model cannot restore a
    /// band the input lacks, and a lower-rate one would drop a band it has), else the lowest-rate one.
    /// - Parameter folders: where to look (default ``searchPath``).
    /// - Returns: its directory, or nil when none is shipped.
    static func separator(forInputRate inputRate: Int, in folders: [String] = searchPath) -> String? {
        let found = separatorsByRate.compactMap { entry in shipped(entry.name, in: folders).map { (path: $0, rate: entry.sampleRate) } }
        return (found.first { $0.rate <= inputRate } ?? found.last)?.path
    }

    /// The folders searched, in order.
    static var searchPath: [String] {
        var folders: [String] = []
        if let env = ProcessInfo.processInfo.environment["SEPKWS_MODELS"], !env.isEmpty { folders.append(env) }
        folders.append(FileManager.default.currentDirectoryPath + "/Models")
        // The running binary (found through /proc even when run from $PATH), and the package it was built in:
        // .build/<config>/sepkws or .build/<triple>/<config>/sepkws.
        var folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            folders.append(folder.appendingPathComponent("Models").path)
            folder = folder.deletingLastPathComponent()
        }
        var seen = Set<String>()
        return folders.filter { seen.insert($0).inserted }
    }

    /// The directory of the shipped model `name` in the first of `folders` that holds it, or `nil`.
    static func shipped(_ name: String, in folders: [String] = searchPath) -> String? {
        for folder in folders {
            let path = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("config.json")) { return path }
        }
        return nil
    }
}
