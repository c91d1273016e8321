import Foundation
import Synchronization

/// The last stop signal received by the process (0: none). A lock-free atomic, so storing into it is
/// async-signal-safe; initialized before any handler is installed.
private let receivedSignal = Atomic<Int32>(0)

/// The C signal handler: records the signal and restores the default action, so a second signal ends a process
/// that does not respond. Only async-signal-safe calls (an atomic store, `signal`).
/// How many stop signals the process has received; a ``StopSignal`` only counts those after its creation, so
/// creating one never hides a signal another is waiting for.
private let receivedCount = Atomic<Int>(0)

private func recordStopSignal(_ number: Int32) {
    receivedSignal.store(number, ordering: .sequentiallyConsistent)
    receivedCount.wrappingAdd(1, ordering: .sequentiallyConsistent)
    signal(number, SIG_DFL)
}

/// Turns SIGINT and SIGTERM into a flag that a training loop polls once per step, so the loop can save a
/// checkpoint and exit cleanly instead of dying in the middle of an update.
///
/// The handler only stores the signal number into an atomic (async-signal-safe) and restores the default action:
/// the first Ctrl-C asks for a clean stop, a second one ends the process at once.
///
/// ```swift
/// let stop = StopSignal()
/// while !stop.isRequested { trainOneStep() }
/// ```
public final class StopSignal {
    /// A flag set by ``request(_:)``.
    private final class Flag: Sendable {
        let signalNumber = Atomic<Int32>(0)
    }

    private let requested = Flag()
    private let signals: [Int32]
    private let countAtStart: Int
    /// The actions installed before this watcher's, restored by ``cancel()``.
    private var previousActions: [sigaction] = []
    private var cancelled = false

    /// Starts watching `signals` (SIGINT and SIGTERM by default); forgets signals received before.
    /// - Parameter signals: the signals that request a stop; pass `[]` for a flag that only ``request(_:)`` sets.
    public init(signals: [Int32] = [SIGINT, SIGTERM]) {
        self.signals = signals
        countAtStart = receivedCount.load(ordering: .sequentiallyConsistent)
        for number in signals {
            // Without SA_RESTART, so that a blocking read (a live pipe) returns EINTR and its loop can look at the flag.
            var action = sigaction()
            action.__sigaction_handler.sa_handler = recordStopSignal
            action.sa_flags = 0
            sigemptyset(&action.sa_mask)
            var previous = sigaction()
            sigaction(number, &action, &previous)
            previousActions.append(previous)
        }
    }

    deinit { cancel() }

    /// Whether a stop was requested.
    public var isRequested: Bool { signalNumber != nil }

    /// The signal that requested the stop (or the number given to ``request(_:)``), if any.
    public var signalNumber: Int32? {
        let own = requested.signalNumber.load(ordering: .sequentiallyConsistent)
        if own != 0 { return own }
        guard receivedCount.load(ordering: .sequentiallyConsistent) > countAtStart else { return nil }
        let received = receivedSignal.load(ordering: .sequentiallyConsistent)
        return received != 0 && signals.contains(received) ? received : nil
    }

    /// Requests a stop as if `signal` had arrived (tests, and callers that stop for their own reasons).
    public func request(_ signal: Int32 = SIGINT) {
        requested.signalNumber.store(signal, ordering: .sequentiallyConsistent)
    }

    /// Stops watching and restores the actions installed before (the default ones, or the CLI's removal of
    /// unfinished outputs); only the first call does anything.
    public func cancel() {
        guard !cancelled else { return }
        cancelled = true
        for (number, previous) in zip(signals, previousActions) {
            var action = previous
            sigaction(number, &action, nil)
        }
    }
}
