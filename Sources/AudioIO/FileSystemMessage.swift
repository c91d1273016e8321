import Foundation

/// Plain words for Foundation's file errors, which otherwise print as `Error Domain=NSCocoaErrorDomain Code=256 ...`:
/// "is a directory", "permission denied", "already exists", "no such file or folder", "no space left on the device".
public enum FileSystemMessage {
    /// The cause of `error` in a few words (the POSIX reason when Foundation kept one).
    public static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return posix(Int32(underlying.code))
        }
        if ns.domain == NSPOSIXErrorDomain { return posix(Int32(ns.code)) }
        guard ns.domain == NSCocoaErrorDomain else { return ns.localizedDescription }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteFileExists: return "already exists"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "read-only file system"
        case .fileReadTooLarge: return "too large to read"
        default:
            if let path = path(of: error), OutputPath.kind(of: path) == .directory { return "is a directory" }
            return "cannot be read or written (\(CocoaError.Code(rawValue: ns.code)))"
        }
    }

    /// "PATH: reason", with the path Foundation recorded (or `fallback`).
    public static func describe(_ error: any Error, path fallback: String? = nil) -> String {
        let path = path(of: error) ?? fallback
        return path.map { "\($0): \(reason(error))" } ?? reason(error)
    }

    /// Whether `error` is one of Foundation's file errors (Cocoa or POSIX domain).
    public static func isFileError(_ error: any Error) -> Bool {
        let domain = (error as NSError).domain
        return domain == NSCocoaErrorDomain || domain == NSPOSIXErrorDomain
    }

    /// The path Foundation recorded in `error`, if any.
    public static func path(of error: any Error) -> String? {
        let info = (error as NSError).userInfo
        if let path = info[NSFilePathErrorKey] as? String { return path }
        if let url = info[NSURLErrorKey] as? URL { return url.path }
        return nil
    }

    private static func posix(_ code: Int32) -> String {
        switch code {
        case EISDIR: "is a directory"
        case EACCES, EPERM: "permission denied"
        case EEXIST: "already exists"
        case ENOENT: "no such file or folder"
        case ENOSPC: "no space left on the device"
        case EROFS: "read-only file system"
        default: String(cString: strerror(code))
        }
    }
}
