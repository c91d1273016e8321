import Dispatch
import Foundation
import Synchronization

/// A unit of fork-join work as a value (a struct of pointers and sizes), run as `run(worker:)` for every worker
/// index. Unlike a closure, handing it to another thread needs no heap context, so the inference kernels built
/// on it allocate nothing per call.
package protocol ParallelTask {
    /// Does the share of worker `worker`; must write only outputs no other worker writes.
    func run(worker: Int)
}

extension ParallelTask {
    /// Type-erased entry point used by ``WorkerPool``.
    fileprivate static func invoke(_ pointer: UnsafeRawPointer, worker: Int) {
        pointer.assumingMemoryBound(to: Self.self).pointee.run(worker: worker)
    }
}

/// Persistent helper threads for fork-join kernels, so a parallel inference call allocates nothing
/// (`DispatchQueue.concurrentPerform` and `withoutActuallyEscaping` each allocate per call).
///
/// Why `@unchecked Sendable` is sound: the job fields are written only by the thread that won `busy`, before
/// it signals the helpers' start semaphores, and are not touched again until every helper signalled `done`;
/// the semaphores order these accesses (happens-before), so no two threads race on them. The task value the
/// job points at lives on the caller's stack for the whole call.
final class WorkerPool: @unchecked Sendable {
    /// The pool shared by all kernels: one helper per extra core.
    static let shared = WorkerPool(helpers: Swift.max(0, Threading.activeProcessorCount - 1))

    private let helpers: Int
    private let start: [DispatchSemaphore]
    private let done = DispatchSemaphore(value: 0)
    private let busy = Atomic<Bool>(false)
    private var jobPointer: UnsafeRawPointer?
    private var jobType: (any ParallelTask.Type)?
    private var participants = 1
    private var workers = 1

    private init(helpers: Int) {
        self.helpers = helpers
        self.start = (0..<helpers).map { _ in DispatchSemaphore(value: 0) }
        for index in 0..<helpers {
            let thread = Thread { [unowned self] in self.helperLoop(index) }
            thread.name = "sepkws-worker-\(index + 1)"
            thread.start()
        }
    }

    private func helperLoop(_ index: Int) {
        while true {
            start[index].wait()
            runShare(of: index + 1)
            done.signal()
        }
    }

    /// Runs worker indices `participant, participant + participants, …` below `workers`.
    private func runShare(of participant: Int) {
        var w = participant
        while w < workers {
            invoke(jobType!, jobPointer!, w)
            w += participants
        }
    }

    /// Opens the task type (no allocation) and runs one worker index.
    private func invoke<T: ParallelTask>(_ type: T.Type, _ pointer: UnsafeRawPointer, _ worker: Int) {
        T.invoke(pointer, worker: worker)
    }

    /// Whether a job is running (a caller inside a parallel region sees true).
    var isBusy: Bool { busy.load(ordering: .relaxed) }

    /// Runs `task.run(worker: w)` for `w in 0..<workers` on the calling thread and the helpers.
    /// - Returns: false (having run nothing) when the pool is busy with another caller.
    func run<T: ParallelTask>(_ workers: Int, _ task: T) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        let participants = Swift.min(workers, helpers + 1)
        withUnsafePointer(to: task) { pointer in
            self.jobPointer = UnsafeRawPointer(pointer)
            self.jobType = T.self
            self.workers = workers
            self.participants = participants
            for i in 0..<(participants - 1) { start[i].signal() }
            runShare(of: 0)
            for _ in 0..<(participants - 1) { done.wait() }
            self.jobPointer = nil
        }
        return true
    }
}
