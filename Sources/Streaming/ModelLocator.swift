import Foundation
import KeywordSpotting
import NN

/// Finds shipped models: `$SEPKWS_MODELS`, then `Models/` in the current folder, then `Models/` beside the binary or
/// in the package it was built in (`.build/<config>/sepkws` -> `../../Models`). Used for every default model.
public enum ModelLocator {
    /// The shipped separation model used where the audio's rate does not choose one (`detect --separate`, `eval-sep`).
    public static let defaultSeparator = "mossformer2-8k"

    /// The shipped separators by sample rate, highest first, among which `separate` chooses by the input's rate.
    public static let separatorsByRate = [(name: "mossformer2-16k", sampleRate: 16_000), (name: "mossformer2-8k", sampleRate: 8_000)]

    /// The shipped separator for audio at `inputRate` Hz: the highest-rate one not above it (a model cannot restore a
    /// band the input lacks, and a lower-rate one would drop a band it has), else the lowest-rate one.
    /// - Parameter folders: where to look (default ``searchPath``).
    /// - Returns: its directory, or nil when none is shipped.
    public static func separator(forInputRate inputRate: Int, in folders: [String] = searchPath) -> String? {
        let found = separatorsByRate.compactMap { entry in shipped(entry.name, in: folders).map { (path: $0, rate: entry.sampleRate) } }
        return (found.first { $0.rate <= inputRate } ?? found.last)?.path
    }

    /// The folders searched, in order.
    public static var searchPath: [String] {
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
    public static func shipped(_ name: String, in folders: [String] = searchPath) -> String? {
        for folder in folders {
            let path = (folder as NSString).appendingPathComponent(name)
            if ModelDirectory(path).hasConfiguration { return path }
        }
        return nil
    }
}

/// Where the shipped models are found: `$SEPKWS_KWS_MODEL` (a model folder), `$SEPKWS_MODELS/<name>`,
/// `./Models/<name>`, then `Models/<name>` beside the executable or in the package it was built in.
public enum DefaultModels {
    /// The shipped 12-class keyword spotter, the default of `classify` and `detect`.
    public static let keywordSpotter = "kws-cab-12"

    /// The folder of the default keyword spotter.
    /// - Throws: `ModelDirectoryError.noSuchDirectory` naming the places searched.
    public static func keywordSpotterDirectory() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["SEPKWS_KWS_MODEL"], !path.isEmpty { return path }
        if let shipped = ModelLocator.shipped(keywordSpotter) { return shipped }
        throw ModelDirectoryError.noSuchDirectory(
            path: "\(keywordSpotter) (searched $SEPKWS_KWS_MODEL, $SEPKWS_MODELS, \(ModelLocator.searchPath.joined(separator: ", ")); give --model DIR)")
    }

    /// The shipped encoder a wake word starts from (`train-kws --words`): a classifier of 1,000 words, whose encoder
    /// tells words apart on voices it never heard better than the 12-keyword one.
    public static let wakeWordEncoder = "kws-words-1000"

    /// The folder of the wake-word encoder.
    /// - Throws: `ModelDirectoryError.noSuchDirectory` naming the places searched.
    public static func wakeWordEncoderDirectory() throws -> String {
        if let shipped = ModelLocator.shipped(wakeWordEncoder) { return shipped }
        throw ModelDirectoryError.noSuchDirectory(
            path: "\(wakeWordEncoder) (searched $SEPKWS_MODELS, \(ModelLocator.searchPath.joined(separator: ", ")); give --init DIR)")
    }
}
