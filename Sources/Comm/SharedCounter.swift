import CMPI
import Support

/// A job-wide counter any rank can draw from at any time, without the other ranks taking part:
/// dynamic hand-out of work items (ensemble restarts) whose durations differ, so a group that
/// finishes early takes the next item instead of idling behind a static split.
///
/// One Int64 lives in an MPI-3 RMA window on rank 0. `next()` is an atomic `MPI_Fetch_and_op`
/// (+1) under a passive-target `MPI_Win_lock_all` epoch opened once at creation, so rank 0 need not
/// call anything for the others to progress. With ranks on one node Open MPI serves the window from
/// shared memory (osc/sm) and the operation is a processor atomic; across nodes progress depends on
/// the network's RMA support (osc/ucx or osc/rdma).
///
/// Creation and `free()` are collective over `comm`; `next()` is not. Call `free()` on every rank
/// before the communicator goes away: a window cannot be freed from `deinit`, which is not collective.
public final class SharedCounter {
    public let comm: Communicator
    private var window: MPI_Win?
    /// Operand and result of the fetch-and-add. They must stay at a fixed address until
    /// `MPI_Win_flush` completes the operation, so they are allocated once rather than passed inout.
    private let operand: UnsafeMutablePointer<Int64>
    private let result: UnsafeMutablePointer<Int64>

    /// Collective: every rank of `comm` calls it; the first value `next()` hands out is `start`.
    public init(comm: Communicator, start: Int64 = 0) throws {
        self.comm = comm
        operand = .allocate(capacity: 1)
        operand.initialize(to: 1)
        result = .allocate(capacity: 1)
        result.initialize(to: 0)
        var base: UnsafeMutableRawPointer? = nil
        var win: MPI_Win? = nil
        let unit = MemoryLayout<Int64>.size
        try mpiCheck(MPI_Win_allocate(MPI_Aint(comm.isRoot ? unit : 0), Int32(unit), ls_mpi_info_null(), comm.handle,
                                      &base, &win), "MPI_Win_allocate")
        window = win
        // Windows default to MPI_ERRORS_ARE_FATAL; return codes instead, so mpiCheck reports them.
        try mpiCheck(MPI_Win_set_errhandler(win, ls_mpi_errors_return()), "MPI_Win_set_errhandler")
        try mpiCheck(MPI_Win_lock_all(ls_mpi_mode_nocheck(), win), "MPI_Win_lock_all")
        if comm.isRoot {
            guard let base else {
                throw InputError("MPI_Win_allocate returned no memory for the shared counter on rank 0",
                                 exitCode: ExitStatus.software)
            }
            base.storeBytes(of: start, as: Int64.self)
            // Makes the local store visible to RMA before any rank can draw (separate memory model).
            try mpiCheck(MPI_Win_sync(win), "MPI_Win_sync")
        }
        try comm.barrier()
    }

    deinit {
        operand.deallocate()
        result.deallocate()
    }

    /// The current value, atomically incremented by one for the next caller. Values are handed out
    /// exactly once across all ranks, in increasing order of the moment each draw reached rank 0.
    public func next() throws -> Int64 {
        guard window != nil else {
            throw InputError("SharedCounter.next() called after free()", exitCode: ExitStatus.software)
        }
        return try add(1)
    }

    /// The current value, atomically increased by `amount` (0 reads it): a job-wide running total,
    /// e.g. events generated so far by all ranks, that rank 0 can read without the others waiting.
    @discardableResult
    public func add(_ amount: Int64) throws -> Int64 {
        guard let window else {
            throw InputError("SharedCounter.add() called after free()", exitCode: ExitStatus.software)
        }
        operand.pointee = amount
        try mpiCheck(MPI_Fetch_and_op(operand, result, ls_mpi_int64(), 0, 0, ls_mpi_sum(), window), "MPI_Fetch_and_op")
        try mpiCheck(MPI_Win_flush(0, window), "MPI_Win_flush")
        return result.pointee
    }

    /// Collective: closes the access epoch and frees the window. Idempotent.
    public func free() throws {
        guard let handle = window else { return }
        var win: MPI_Win? = handle
        window = nil
        try mpiCheck(MPI_Win_unlock_all(handle), "MPI_Win_unlock_all")
        try mpiCheck(MPI_Win_free(&win), "MPI_Win_free")
    }
}
