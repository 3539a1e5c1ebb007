#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
import Support
#endif

/// Work split into phases that every worker of a `WorkerPool` runs at the same time, each on its
/// own part (rows of a batch, a range of parameters). Phases are plain integers so that waking the
/// workers passes no closure and allocates nothing.
public protocol ParallelWork: AnyObject {
    /// Worker `worker`'s part of `phase`; called concurrently for every worker of the pool.
    func work(worker: Int, phase: Int)
}

/// Persistent worker threads for in-process data parallelism: `count − 1` threads are created once
/// in `init` and sleep on a condition variable; `run` wakes them for one phase, runs worker 0 on the
/// calling thread and returns when every worker has finished. Per phase this costs one broadcast and
/// one wake-up per thread (microseconds), no thread creation and no heap allocation.
///
/// Only the calling thread should talk to MPI (the runtime is initialised FUNNELED).
public final class WorkerPool {
    public let count: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let finished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `mutex`.
    private var generation = 0
    private var pending = 0
    private var stopping = false
    private var task: ParallelWork?
    private var phase = 0
    private var threads: [pthread_t] = []
    /// One (pool, worker index) record per thread, read once by the thread at start.
    private let contexts: UnsafeMutablePointer<(Unmanaged<WorkerPool>, Int)>

    /// `count` ≥ 1 workers (the caller counts as worker 0).
    public init(count: Int) throws {
        guard count >= 1 else { throw NNError.invalidArchitecture("a worker pool needs at least 1 worker, got \(count)") }
        self.count = count
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        pthread_cond_init(finished, nil)
        contexts = .allocate(capacity: count)
        for index in 1..<max(count, 1) {
            (contexts + index).initialize(to: (Unmanaged.passUnretained(self), index))
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { raw in
                guard let raw else { return nil }
                let (pool, index) = raw.assumingMemoryBound(to: (Unmanaged<WorkerPool>, Int).self).pointee
                pool.takeUnretainedValue().serve(worker: index)
                return nil
            }, UnsafeMutableRawPointer(contexts + index))
            guard status == 0 else {
                shutDown()
                throw NNError.invalidArchitecture("could not start worker thread \(index) of \(count) (pthread_create error \(status))")
            }
            threads.append(thread)
        }
    }

    /// Runs `phase` of `task` on every worker and waits for all of them.
    public func run(_ task: ParallelWork, phase: Int) {
        guard count > 1 else { return task.work(worker: 0, phase: phase) }
        pthread_mutex_lock(mutex)
        self.task = task
        self.phase = phase
        pending = count - 1
        generation &+= 1
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
        task.work(worker: 0, phase: phase)
        pthread_mutex_lock(mutex)
        while pending > 0 { pthread_cond_wait(finished, mutex) }
        self.task = nil
        pthread_mutex_unlock(mutex)
    }

    /// The loop of worker thread `worker`: wait for a new generation, run its part, report back.
    private func serve(worker: Int) {
        var seen = 0
        pthread_mutex_lock(mutex)
        while true {
            while generation == seen && !stopping { pthread_cond_wait(wake, mutex) }
            if stopping { break }
            seen = generation
            let task = self.task, phase = self.phase
            pthread_mutex_unlock(mutex)
            task?.work(worker: worker, phase: phase)
            pthread_mutex_lock(mutex)
            pending -= 1
            if pending == 0 { pthread_cond_signal(finished) }
        }
        pthread_mutex_unlock(mutex)
    }

    private func shutDown() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
        for thread in threads { pthread_join(thread, nil) }
        threads.removeAll()
    }

    deinit {
        shutDown()
        pthread_cond_destroy(finished)
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        finished.deallocate()
        wake.deallocate()
        mutex.deallocate()
        contexts.deallocate()
    }
}
