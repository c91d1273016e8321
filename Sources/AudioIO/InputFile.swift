import Foundation

/// Checks done on every input path before a library opens it, so that the common mistakes get a clear message.
public enum InputFile {
    /// Throws if `path` is missing, a directory, or an empty regular file.
    /// - Throws: ``AudioIOError/fileNotFound(path:)``, ``AudioIOError/isDirectory(path:)``,
    ///   ``AudioIOError/emptyFile(path:)``.
    public static func validate(_ path: String) throws(AudioIOError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .fileNotFound(path: path)
        }
        if isDirectory.boolValue { throw .isDirectory(path: path) }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let type = attributes?[.type] as? FileAttributeType, type == .typeRegular,
            let size = attributes?[.size] as? NSNumber, size.intValue == 0
        {
            throw .emptyFile(path: path)
        }
    }
}
