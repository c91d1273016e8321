import Foundation

/// Any folder of audio files, searched recursively (unlabeled data for pretraining, inputs of batch commands).
public enum AudioFolder {
    /// File extensions libsndfile reads.
    public static let extensions: Set<String> = [
        "wav", "wave", "flac", "ogg", "oga", "opus", "aif", "aiff", "aifc", "au", "snd", "caf", "w64", "rf64", "mp3",
    ]

    /// Every audio file under `path` (or `path` itself if it is a file), sorted.
    /// - Throws: `DatasetError.missingFolder` if `path` does not exist, `.noAudioFiles` if it holds none.
    public static func files(in path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError.missingFolder(path: path, layout: "folder of audio files")
        }
        if !isDirectory.boolValue { return [path] }
        var found: [String] = []
        // A folder reached through a symbolic link is listed through its target (the enumerator does not follow a
        // linked root), its files named under `path` as given.
        if let enumerator = FileManager.default.enumerator(atPath: (path as NSString).resolvingSymlinksInPath) {
            for case let relative as String in enumerator {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") { continue }
                if extensions.contains((relative as NSString).pathExtension.lowercased()) {
                    found.append((path as NSString).appendingPathComponent(relative))
                }
            }
        }
        guard !found.isEmpty else { throw DatasetError.noAudioFiles(path: path) }
        return found.sorted()
    }
}
