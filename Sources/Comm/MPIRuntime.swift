import CMPI
import Foundation
import Support

/// Process-wide MPI start and stop. `initialize` is idempotent; `finalize` is called once at exit.
public enum MPIRuntime {
    /// The thread level MPI_Init_thread granted. MULTIPLE is requested because the point-to-point
    /// SharedCounter serves requests from a thread on rank 0 while its main thread makes its own
    /// MPI calls (collectives in its group); everything else calls MPI from the main thread only.
    public nonisolated(unsafe) static var threadLevel: Int32 = -1
    /// The launch environment as it was before MPI_Init (a singleton init adds variables of its own).
    nonisolated(unsafe) static var launchEnvironment: [String: String] = [:]

    public static func initialize() throws {
        var flag: Int32 = 0
        try mpiCheck(MPI_Initialized(&flag), "MPI_Initialized")
        if flag != 0 { return }
        launchEnvironment = ProcessInfo.processInfo.environment
        // Open MPI aborts inside MPI_Init when srun started the tasks without PMIx: refuse first.
        try LaunchGuard.checkBeforeInit(launchEnvironment)
        var provided: Int32 = 0
        try mpiCheck(MPI_Init_thread(nil, nil, Int32(MPI_THREAD_MULTIPLE), &provided), "MPI_Init_thread")
        threadLevel = provided
        try mpiCheck(MPI_Comm_set_errhandler(ls_mpi_comm_world(), ls_mpi_errors_return()), "MPI_Comm_set_errhandler")
        try mpiCheck(MPI_Comm_set_errhandler(ls_mpi_comm_self(), ls_mpi_errors_return()), "MPI_Comm_set_errhandler")
    }

    public static var isInitialized: Bool {
        var flag: Int32 = 0
        MPI_Initialized(&flag)
        var done: Int32 = 0
        MPI_Finalized(&done)
        return flag != 0 && done == 0
    }

    public static func finalize() {
        if isInitialized { MPI_Finalize() }
    }
}
