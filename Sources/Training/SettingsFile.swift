import Foundation

/// A trainer's settings read from a JSON file (`--settings FILE.json`), under the options given on the command line.
///
/// The file holds the trainer's `Codable` settings under their JSON names (the same document a run writes to
/// `RUN/settings.json`), all keys optional. The result takes, key by key (recursively into nested objects), the
/// command line's value where it differs from the command's default, else the file's value where the file has the
/// key, else the default. So a flag always wins over the file, and the file wins over the defaults. (A flag given
/// with exactly its default value cannot be told from an absent one, so the file's value stands.)
///
/// ```swift
/// let settings = try SettingsFile.merged(file: "pretrain.json", flags: fromFlags, defaults: fromNoFlags)
/// ```
public enum SettingsFile {
    /// `flags` over `file` over `defaults`, as described above.
    /// - Parameters:
    ///   - path: the JSON file.
    ///   - flags: the settings the command line gives (defaults where an option is absent).
    ///   - defaults: the settings the command gives without any option.
    /// - Throws: ``TrainingError/settingsFile(path:reason:)`` naming the file for an unreadable file, malformed
    ///   JSON, an unknown key or a value of the wrong type.
    public static func merged<S: Codable>(file path: String, flags: S, defaults: S) throws -> S {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingError.settingsFile(path: path, reason: "cannot be read")
        }
        guard let file = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TrainingError.settingsFile(path: path, reason: "not a JSON object")
        }
        let flagsObject = try object(flags), defaultsObject = try object(defaults)
        let merged = merge(flags: flagsObject, file: file, defaults: defaultsObject)
        let settings: S
        do {
            settings = try JSONDecoder().decode(S.self, from: try JSONSerialization.data(withJSONObject: merged))
        } catch let error as DecodingError {
            throw TrainingError.settingsFile(path: path, reason: describe(error))
        }
        // A key the settings do not know is dropped by decoding: name it rather than ignore a typo.
        if let unknown = unknownKeys(file, decoded: try object(settings)).first {
            throw TrainingError.settingsFile(path: path, reason: "unknown key \"\(unknown)\"")
        }
        return settings
    }

    /// Keys (dotted paths) of `file` with a value that the decoded settings do not hold.
    private static func unknownKeys(_ file: [String: Any], decoded: [String: Any], prefix: String = "") -> [String] {
        file.keys.sorted().flatMap { key -> [String] in
            guard let value = file[key], !(value is NSNull) else { return [] }
            guard let held = decoded[key] else { return [prefix + key] }
            if let inner = value as? [String: Any], let heldInner = held as? [String: Any] {
                return unknownKeys(inner, decoded: heldInner, prefix: prefix + key + ".")
            }
            return []
        }
    }

    private static func object<S: Encodable>(_ value: S) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    private static func same(_ a: Any?, _ b: Any?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        let encode = { (v: Any) in try? JSONSerialization.data(withJSONObject: [v], options: [.sortedKeys]) }
        return encode(a) == encode(b)
    }

    private static func merge(flags: [String: Any], file: [String: Any], defaults: [String: Any]) -> [String: Any] {
        var result = defaults
        for key in Set(flags.keys).union(file.keys).union(defaults.keys) {
            let f = flags[key], d = defaults[key], fromFile = file[key]
            if let f = f as? [String: Any], let fromFile = fromFile as? [String: Any] {
                result[key] = merge(flags: f, file: fromFile, defaults: d as? [String: Any] ?? [:])
            } else if !same(f, d) {
                result[key] = f
            } else if let fromFile {
                result[key] = fromFile
            } else {
                result[key] = f
            }
        }
        return result
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : "\(path): ") + context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}
