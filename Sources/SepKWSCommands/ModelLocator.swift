import Foundation

/// Finds shipped models: `$SEPKWS_MODELS`, then `Models/` in the current folder, then `Models/` beside the binary or
/// in the package it was built in (`.build/<config>/sepkws` -> `../../Models`). Used for every default model.
enum ModelLocator {
    /// The shipped separation model `sepkws separate` uses by default.
    static let defaultSeparator = "mossformer2-8k"

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

    /// The directory of the shipped model `name`, or `nil`.
    static func shipped(_ name: String) -> String? {
        for folder in searchPath {
            let path = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("config.json")) { return path }
        }
        return nil
    }
}
