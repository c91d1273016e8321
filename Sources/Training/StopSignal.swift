import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into a flag that a training loop polls once per step, so the loop can save a
/// checkpoint and exit cleanly instead of dying in the middle of an update.
///
/// The signals are ignored at the process level and delivered through `DispatchSource` signal sources, whose
/// handlers run on a queue (not in signal context) and only store into an atomic. After the first signal the
/// default action is restored, so a second Ctrl-C ends a process that does not respond.
///
/// ```swift
/// let stop = StopSignal()
/// while !stop.isRequested { trainOneStep() }
/// ```
public final class StopSignal {
    /// The flag shared with the signal handlers.
    private final class Flag: Sendable {
        let signalNumber = Atomic<Int32>(0)
    }

    private let flag = Flag()
    private var sources: [any DispatchSourceSignal] = []
    private let signals: [Int32]

    /// Starts watching `signals` (SIGINT and SIGTERM by default).
    /// - Parameter signals: the signals that request a stop; pass `[]` for a flag that only ``request(_:)`` sets.
    public init(signals: [Int32] = [SIGINT, SIGTERM]) {
        self.signals = signals
        for number in signals {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let flag = flag
            source.setEventHandler {
                flag.signalNumber.store(number, ordering: .sequentiallyConsistent)
                Foundation.signal(number, SIG_DFL)
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit { cancel() }

    /// Whether a stop was requested.
    public var isRequested: Bool { flag.signalNumber.load(ordering: .sequentiallyConsistent) != 0 }

    /// The signal that requested the stop (or the number given to ``request(_:)``), if any.
    public var signalNumber: Int32? {
        let n = flag.signalNumber.load(ordering: .sequentiallyConsistent)
        return n == 0 ? nil : n
    }

    /// Requests a stop as if `signal` had arrived (tests, and callers that stop for their own reasons).
    public func request(_ signal: Int32 = SIGINT) {
        flag.signalNumber.store(signal, ordering: .sequentiallyConsistent)
    }

    /// Stops watching and restores the default actions.
    public func cancel() {
        for source in sources { source.cancel() }
        sources = []
        for number in signals { Foundation.signal(number, SIG_DFL) }
    }
}
