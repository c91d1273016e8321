import Foundation
import Synchronization

/// The write end of the pipe the signal handler reports to (-1 before ``PartialFiles/removeOnSignals()``).
/// A lock-free atomic, so reading it in the handler is async-signal-safe.
private let signalPipe = Atomic<Int32>(-1)

/// The C signal handler: passes the signal number to the cleanup thread through a pipe. `write(2)` is
/// async-signal-safe; everything else (removing files, printing) happens on that thread.
private func forwardSignal(_ number: Int32) {
    let savedErrno = errno
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipe.load(ordering: .sequentiallyConsistent), &byte, 1)
    errno = savedErrno
}

/// The registry of unfinished outputs (staging files and folders that are not yet renamed into place), so that an
/// interrupted command leaves none behind.
///
/// Writers register a staging path before creating it and unregister it once it is renamed or deleted
/// (``AtomicOutput`` does both). The CLI calls ``removeOnSignals()`` once at start: SIGINT or SIGTERM then removes
/// every registered path, says so in one line on stderr, and exits with status 128 + the signal number (130, 143).
/// Commands that stop cleanly on a signal instead (training, `detect`) install their own handler over this one.
public enum PartialFiles {
    private static let paths = Mutex<Set<String>>([])
    private static let installed = Atomic<Bool>(false)

    /// Records `path` (a file or folder) as unfinished.
    public static func register(_ path: String) {
        paths.withLock { _ = $0.insert(path) }
    }

    /// Forgets `path` (it was renamed into place or deleted).
    public static func unregister(_ path: String) {
        paths.withLock { _ = $0.remove(path) }
    }

    /// The paths registered now (tests).
    public static var registered: Set<String> { paths.withLock { $0 } }

    /// Whether ``removeOnSignals()`` was called in this process.
    public static var isRemovingOnSignals: Bool { installed.load(ordering: .sequentiallyConsistent) }

    /// Installs (or re-installs, after another handler was removed) the SIGINT/SIGTERM handler that removes every
    /// registered path and exits. The first call starts the thread that does the removal.
    public static func removeOnSignals() {
        if !installed.exchange(true, ordering: .sequentiallyConsistent) {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else {
                installed.store(false, ordering: .sequentiallyConsistent)
                return
            }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            signalPipe.store(ends[1], ordering: .sequentiallyConsistent)
            let readEnd = ends[0]
            let thread = Thread { waitForSignal(readEnd) }
            thread.name = "sepkws-signal-cleanup"
            thread.start()
        }
        for number in [SIGINT, SIGTERM] {
            // SA_RESTART: the main thread's reads and writes carry on undisturbed until the cleanup thread exits.
            var action = sigaction()
            action.__sigaction_handler.sa_handler = forwardSignal
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
    }

    /// The cleanup thread: waits for a signal number, removes the registered paths (holding the lock, so nothing new
    /// is registered meanwhile) and exits.
    private static func waitForSignal(_ readEnd: Int32) {
        var byte: UInt8 = 0
        while read(readEnd, &byte, 1) != 1 {}
        let number = Int32(byte)
        paths.withLock { paths in
            var count = 0
            for path in paths where (try? FileManager.default.removeItem(atPath: path)) != nil { count += 1 }
            let name = number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)"
            let removed = count == 0 ? "" : "; removed \(count) unfinished output file\(count == 1 ? "" : "s")"
            let message = Array("sepkws: interrupted by \(name)\(removed)\n".utf8)
            _ = message.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            _exit(128 + number)
        }
    }
}
