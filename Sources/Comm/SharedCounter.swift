import CMPI
import Foundation
import Support

/// A job-wide counter any rank can draw from at any time, without the other ranks taking part:
/// dynamic hand-out of work items (ensemble restarts) whose durations differ, so a group that
/// finishes early takes the next item instead of idling behind a static split.
///
/// Two implementations, same results (`kind` says which one runs):
/// - `.window`: one Int64 in an MPI-3 RMA window on rank 0; `next()` is an atomic
///   `MPI_Fetch_and_op` (+1) under a passive-target `MPI_Win_lock_all` epoch opened once at
///   creation, so rank 0 need not call anything for the others to progress. Open MPI serves it from
///   shared memory (osc/sm) when all ranks share a node, or from an RMA network (osc/ucx, osc/rdma).
/// - `.messages` (MessageCounter): rank 0 holds the value and a thread there answers fetch-and-add
///   requests sent as point-to-point messages. Chosen when the window cannot be made: Open MPI 4.1
///   over plain TCP between nodes fails MPI_Win_allocate with MPI_ERR_WIN. Forced with
///   `LATENTSIM_SHARED_COUNTER=messages` (`window`, the default, tries the window first).
///
/// Creation and `free()` are collective over `comm`; `next()` is not. Call `free()` on every rank
/// before the communicator goes away: neither a window nor the server thread can be stopped from
/// `deinit`, which is not collective.
public final class SharedCounter {
    public enum Kind: String, Sendable { case window, messages }
    /// The environment variable that forces the point-to-point implementation.
    public static let variable = "LATENTSIM_SHARED_COUNTER"

    public let comm: Communicator
    public let kind: Kind
    /// Why the window was not used (the MPI error of MPI_Win_allocate), when it was tried and failed.
    public let fallbackReason: MPIError?
    private var window: MPI_Win?
    private var messages: MessageCounter?
    private var freed = false
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
        let requested = ProcessInfo.processInfo.environment[Self.variable] ?? Kind.window.rawValue
        guard let preferred = Kind(rawValue: requested) else {
            throw InputError("\(Self.variable)=\(requested) is not a shared counter kind (window or messages)",
                             exitCode: ExitStatus.usage)
        }
        var reason: MPIError? = nil
        if preferred == .window {
            reason = try Self.allocateWindow(comm: comm, start: start, into: &window)
        }
        fallbackReason = reason
        if window != nil {
            kind = .window
        } else {
            kind = .messages
            messages = try MessageCounter(comm: comm, start: start)
        }
        try comm.barrier()
    }

    /// Tries the RMA window. Returns MPI_Win_allocate's error when it failed on every rank (the
    /// caller falls back); a window made on some ranks only cannot be freed, so that throws.
    private static func allocateWindow(comm: Communicator, start: Int64, into window: inout MPI_Win?) throws -> MPIError? {
        var base: UnsafeMutableRawPointer? = nil
        var win: MPI_Win? = nil
        let unit = MemoryLayout<Int64>.size
        var failure: MPIError? = nil
        do {
            // The communicator returns errors (MPIRuntime and split set MPI_ERRORS_RETURN), so a
            // window the transport cannot make comes back here as a code instead of aborting.
            try mpiCheck(MPI_Win_allocate(MPI_Aint(comm.isRoot ? unit : 0), Int32(unit), ls_mpi_info_null(), comm.handle,
                                          &base, &win), "MPI_Win_allocate")
        } catch let error as MPIError {
            failure = error
        }
        let made = try comm.allreduce(Int32(failure == nil ? 1 : 0), op: .sum)
        if made == 0 { return failure }
        if Int(made) != comm.size {
            throw failure ?? MPIError(call: "MPI_Win_allocate", code: 0,
                                      message: "the window was made on \(made) of \(comm.size) ranks only")
        }
        // Windows default to MPI_ERRORS_ARE_FATAL; return codes instead, so mpiCheck reports them.
        try mpiCheck(MPI_Win_set_errhandler(win, ls_mpi_errors_return()), "MPI_Win_set_errhandler")
        try mpiCheck(MPI_Win_lock_all(ls_mpi_mode_nocheck(), win), "MPI_Win_lock_all")
        window = win
        if comm.isRoot {
            guard let base else {
                throw InputError("MPI_Win_allocate returned no memory for the shared counter on rank 0",
                                 exitCode: ExitStatus.software)
            }
            base.storeBytes(of: start, as: Int64.self)
            // Makes the local store visible to RMA before any rank can draw (separate memory model).
            try mpiCheck(MPI_Win_sync(win), "MPI_Win_sync")
        }
        return nil
    }

    deinit {
        operand.deallocate()
        result.deallocate()
    }

    /// The current value, atomically incremented by one for the next caller. Values are handed out
    /// exactly once across all ranks, in increasing order of the moment each draw reached rank 0.
    public func next() throws -> Int64 {
        guard !freed else {
            throw InputError("SharedCounter.next() called after free()", exitCode: ExitStatus.software)
        }
        return try add(1)
    }

    /// The current value, atomically increased by `amount` (0 reads it): a job-wide running total,
    /// e.g. events generated so far by all ranks, that rank 0 can read without the others waiting.
    @discardableResult
    public func add(_ amount: Int64) throws -> Int64 {
        guard !freed else {
            throw InputError("SharedCounter.add() called after free()", exitCode: ExitStatus.software)
        }
        if let messages { return try messages.add(amount) }
        operand.pointee = amount
        try mpiCheck(MPI_Fetch_and_op(operand, result, ls_mpi_int64(), 0, 0, ls_mpi_sum(), window), "MPI_Fetch_and_op")
        try mpiCheck(MPI_Win_flush(0, window), "MPI_Win_flush")
        return result.pointee
    }

    /// Collective: closes the access epoch and frees the window, or stops the server. Idempotent.
    public func free() throws {
        guard !freed else { return }
        freed = true
        if let messages {
            self.messages = nil
            try messages.free()
        }
        if let handle = window {
            var win: MPI_Win? = handle
            window = nil
            try mpiCheck(MPI_Win_unlock_all(handle), "MPI_Win_unlock_all")
            try mpiCheck(MPI_Win_free(&win), "MPI_Win_free")
        }
    }
}
