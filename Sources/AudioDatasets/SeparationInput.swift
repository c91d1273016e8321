import AudioIO
import Foundation

/// One input of `separate`: a file (or `-`), and the folder its outputs mirror under `--out-dir` (its path relative
/// to the folder argument it was found in, or to `--relative-to`), nil for a flat output folder.
public struct SeparationInput: Equatable {
    /// The file as given or found (`-` for stdin).
    public var path: String
    /// The input's folder relative to its root (`""` at the root), or nil when outputs do not mirror a tree.
    public var mirroredFolder: String?

    /// What sharding and manifests key an input by: its path relative to its root when mirrored, else as given.
    public var key: String {
        guard let mirroredFolder else { return path }
        return (mirroredFolder as NSString).appendingPathComponent((path as NSString).lastPathComponent)
    }

    /// The inputs of a run: files and folders from the command line and from `--inputs` lists, in order, folders
    /// expanded (sorted, our own `_sN` outputs left out).
    /// - Parameters:
    ///   - arguments: files, folders, or `-`.
    ///   - lists: files listing one input per line: a path, or a JSON object with an `input` (or `path`) key, such as
    ///     a line of a `--manifest` (blank lines and lines starting with `#` are skipped; relative paths are relative
    ///     to the current folder).
    ///   - relativeTo: mirror every file's path relative to this folder (files outside it are an error); nil mirrors
    ///     only files found in folder arguments, relative to that folder.
    /// - Throws: `DatasetError.inputList` for an unreadable list or a bad line, `.outsideRelativeRoot`.
    public static func gather(arguments: [String], lists: [String], relativeTo: String?) throws -> [SeparationInput] {
        var inputs: [SeparationInput] = []
        let root = relativeTo.map { Self.absolute($0) }
        func add(_ file: String, foundIn folder: String?) throws {
            if let root, file != "-" {
                let resolved = Self.absolute(file)
                guard resolved.hasPrefix(root + "/") else { throw DatasetError.outsideRelativeRoot(path: file, root: relativeTo!) }
                let relative = String(resolved.dropFirst(root.count + 1))
                inputs.append(SeparationInput(path: file, mirroredFolder: (relative as NSString).deletingLastPathComponent))
            } else if let folder {
                let relative = String(file.dropFirst(folder.count)).drop { $0 == "/" }
                inputs.append(SeparationInput(path: file, mirroredFolder: (String(relative) as NSString).deletingLastPathComponent))
            } else {
                inputs.append(SeparationInput(path: file, mirroredFolder: nil))
            }
        }
        var entries = arguments
        for list in lists { entries += try Self.read(list: list) }
        for entry in entries {
            var isDirectory: ObjCBool = false
            if entry != "-", FileManager.default.fileExists(atPath: entry, isDirectory: &isDirectory), isDirectory.boolValue {
                for file in try AudioFolder.files(in: entry) where !SeparationOutputPlan.isOutput(file) { try add(file, foundIn: entry) }
            } else {
                try add(entry, foundIn: nil)
            }
        }
        return inputs
    }

    /// `path` made absolute, `.` and `..` removed (links are kept: a tree is mirrored as it is named).
    public static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    /// The entries of an input list: a path per line, or a JSON line naming it by `file` (a `separate --manifest`
    /// line; `input` in older manifests, or `path`). Blank lines and `#` comments are skipped.
    public static func read(list: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: list) else {
            throw DatasetError.inputList(path: list, line: nil, reason: "cannot be read")
        }
        var entries: [String] = []
        for (number, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("{") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let path = (object["file"] ?? object["input"] ?? object["path"]) as? String
                else {
                    throw DatasetError.inputList(path: list, line: number + 1, reason: "a JSON line needs a \"file\" (or \"input\" or \"path\") string")
                }
                entries.append(path)
            } else {
                entries.append(line)
            }
        }
        return entries
    }

    /// Whether this input belongs to shard `index` (0-based) of `count`: by a stable hash of ``key``, so the shards
    /// of one input set are disjoint and together cover it, whatever order the inputs came in.
    public func belongs(toShard index: Int, of count: Int) -> Bool {
        count <= 1 || Int(stableHash(key) % UInt64(count)) == index
    }
}
