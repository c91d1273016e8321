import Foundation
import Synchronization

/// The exclusive lock of a run folder: an advisory `flock` on `RUN/.lock`, taken by every trainer before it reads or
/// writes the run and held for the life of the process (or until ``release(runDirectory:)`` when the command is
/// done), so that two processes never train one run (both would say "saved", and one's work would be lost). The lock
/// file holds the owner's process id, for the refusal's message. A process killed with the lock leaves the file; the
/// kernel drops its lock, so the next trainer simply takes it.
///
/// Taking the lock also removes what a process killed mid-write left in the folder (`.NAME.PID.partial` staging
/// files of the checkpoint and settings, `model.partial`): only the lock's holder may, since another process's
/// staging file may be in use.
///
/// ```swift
/// try RunLock.acquire(runDirectory: "runs/sep")   // throws .runInUse if another process trains it
/// ```
public enum RunLock {
    /// The lock file's name inside a run folder.
    public static let fileName = ".lock"

    /// Open lock files of this process by run folder (absolute path), never closed: the lock lasts until exit.
    private static let held = Mutex<[String: Int32]>([:])

    /// Locks `runDirectory` (an existing folder) for this process, or returns at once if this process holds it.
    /// - Throws: ``TrainingError/runInUse(path:pid:)`` when another process holds it,
    ///   ``TrainingError/runDirectoryMissing(path:)``, ``TrainingError/fileAccess(path:reason:)``.
    public static func acquire(runDirectory: String) throws(TrainingError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: runDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .runDirectoryMissing(path: runDirectory)
        }
        let path = (runDirectory as NSString).appendingPathComponent(fileName)
        let key = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        let result: Result<Void, TrainingError> = held.withLock { held in
            if let fd = held[key] {
                // Still the same file (the folder may have been removed and made again since)?
                if isSameFile(fd, path) { return .success(()) }
                close(fd)
                held[key] = nil
            }
            var attempts = 0
            var fd: Int32 = -1
            while true {
                fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
                guard fd >= 0 else { return .failure(.fileAccess(path: path, reason: String(cString: strerror(errno)))) }
                guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                    let reason = errno
                    var bytes = [UInt8](repeating: 0, count: 32)
                    let count = pread(fd, &bytes, bytes.count, 0)
                    close(fd)
                    guard reason == EWOULDBLOCK else { return .failure(.fileAccess(path: path, reason: String(cString: strerror(reason)))) }
                    let owner = Int32(String(decoding: bytes.prefix(max(count, 0)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                    return .failure(.runInUse(path: runDirectory, pid: owner))
                }
                // The holder may have released and removed the file between our open and our lock: then the lock is
                // on a file no one else will open; take the new one.
                if isSameFile(fd, path) { break }
                close(fd)
                attempts += 1
                if attempts == 10 { return .failure(.fileAccess(path: path, reason: "replaced while being locked, 10 times")) }
            }
            let pid = Array("\(getpid())\n".utf8)
            _ = ftruncate(fd, 0)
            _ = pwrite(fd, pid, pid.count, 0)
            held[key] = fd
            removeStagingFiles(in: runDirectory)
            return .success(())
        }
        try result.get()
    }

    /// Gives up this process's lock on `runDirectory` (when the command is done), removing the lock file; does nothing
    /// if this process does not hold it.
    public static func release(runDirectory: String) {
        let path = (runDirectory as NSString).appendingPathComponent(fileName)
        let key = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        held.withLock { held in
            guard let fd = held.removeValue(forKey: key) else { return }
            if isSameFile(fd, path) { unlink(path) }   // before unlocking: a waiting process then retries on a new file
            close(fd)
        }
    }

    /// Whether the open file `fd` is the file now at `path`.
    private static func isSameFile(_ fd: Int32, _ path: String) -> Bool {
        var open = stat(), named = stat()
        return fstat(fd, &open) == 0 && stat(path, &named) == 0 && open.st_ino == named.st_ino && open.st_dev == named.st_dev
    }

    /// Removes the staging files a killed process left in `runDirectory` (call only while holding its lock).
    static func removeStagingFiles(in runDirectory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: runDirectory) else { return }
        for name in names where (name.hasPrefix(".") && name.hasSuffix(".partial")) || name == "model.partial" {
            try? FileManager.default.removeItem(atPath: (runDirectory as NSString).appendingPathComponent(name))
        }
    }
}
