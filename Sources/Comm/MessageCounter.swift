import CMPI
import Foundation
import Support

/// SharedCounter's point-to-point implementation, for transports without RMA windows (Open MPI
/// 4.1 over plain TCP between nodes). Rank 0 holds the value under a lock. A server thread on rank 0
/// polls a private duplicate of the communicator with MPI_Iprobe and answers each request (the
/// amount to add) with the value before the addition; rank 0's own draws take the lock directly.
/// Values therefore go out exactly once, in the order the requests reached rank 0, as with the
/// window's MPI_Fetch_and_op.
///
/// The server makes MPI calls while rank 0's main thread makes its own (collectives of its
/// ensemble group), which MPI allows only at MPI_THREAD_MULTIPLE: MPIRuntime requests that level,
/// and this counter refuses to start if MPI granted less. The server sleeps between empty polls
/// (10 µs doubling up to 1 ms), so an idle counter costs no core while the ranks compute.
final class MessageCounter: @unchecked Sendable {
    private static let requestTag: Int32 = 1, replyTag: Int32 = 2, stopTag: Int32 = 3

    private let comm: Communicator
    private let lock = NSLock()
    private var value: Int64
    private let finished = DispatchSemaphore(value: 0)

    /// Collective over `comm` (the duplicate is made on every rank).
    init(comm parent: Communicator, start: Int64) throws {
        guard MPIRuntime.threadLevel >= Int32(MPI_THREAD_MULTIPLE) else {
            throw InputError("the point-to-point shared counter needs MPI_THREAD_MULTIPLE, but MPI granted thread level "
                             + "\(MPIRuntime.threadLevel)", exitCode: ExitStatus.software)
        }
        comm = try parent.duplicate()
        value = start
        if comm.isRoot && comm.size > 1 {
            let thread = Thread { [self] in serve() }
            thread.name = "latentsim-counter"
            thread.start()
        }
    }

    /// The value before adding `amount`.
    func add(_ amount: Int64) throws -> Int64 {
        if comm.isRoot { return take(amount) }
        var request = amount, reply: Int64 = 0
        try mpiCheck(MPI_Send(&request, 1, ls_mpi_int64(), 0, Self.requestTag, comm.handle), "MPI_Send")
        try mpiCheck(MPI_Recv(&reply, 1, ls_mpi_int64(), 0, Self.replyTag, comm.handle, ls_mpi_status_ignore()), "MPI_Recv")
        return reply
    }

    private func take(_ amount: Int64) -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        let before = value
        value += amount
        return before
    }

    /// Collective: after the barrier no rank sends another request, so rank 0 stops its server
    /// with a message to itself and waits for the thread to end.
    func free() throws {
        try comm.barrier()
        if comm.isRoot && comm.size > 1 {
            var stop: Int64 = 0
            var request: MPI_Request? = nil
            try mpiCheck(MPI_Isend(&stop, 1, ls_mpi_int64(), 0, Self.stopTag, comm.handle, &request), "MPI_Isend")
            try mpiCheck(MPI_Wait(&request, ls_mpi_status_ignore()), "MPI_Wait")
            finished.wait()
        }
    }

    /// Rank 0's server loop. A failed MPI call here leaves the requesting rank waiting for a reply
    /// that cannot come, so the error is printed and the job aborted (exit 70) instead.
    private func serve() {
        defer { finished.signal() }
        do {
            var pause: UInt32 = 0
            while true {
                var flag: Int32 = 0
                var status = MPI_Status()
                try mpiCheck(MPI_Iprobe(ls_mpi_any_source(), ls_mpi_any_tag(), comm.handle, &flag, &status), "MPI_Iprobe")
                if flag == 0 {
                    pause = min(max(pause * 2, 10), 1_000)
                    usleep(pause)
                    continue
                }
                pause = 0
                var amount: Int64 = 0
                try mpiCheck(MPI_Recv(&amount, 1, ls_mpi_int64(), status.MPI_SOURCE, status.MPI_TAG, comm.handle,
                                      ls_mpi_status_ignore()), "MPI_Recv")
                if status.MPI_TAG == Self.stopTag { return }
                guard status.MPI_TAG == Self.requestTag else {
                    throw InputError("shared counter server got a message with unknown tag \(status.MPI_TAG)",
                                     exitCode: ExitStatus.software)
                }
                var before = take(amount)
                try mpiCheck(MPI_Send(&before, 1, ls_mpi_int64(), status.MPI_SOURCE, Self.replyTag, comm.handle), "MPI_Send")
            }
        } catch {
            FileHandle.standardError.write(Data("error: shared counter server on rank 0: \(error)\n".utf8))
            comm.abort(code: (error as? ReportableError)?.exitCode ?? ExitStatus.software)
        }
    }
}
