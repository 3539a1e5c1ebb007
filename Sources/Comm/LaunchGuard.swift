import Support

/// Refuses a launch that would split one job into several 1-process MPI worlds.
///
/// `srun --mpi=none -n 2 latentsim ...` (or a batch script that runs latentsim without srun in a
/// multi-task allocation) starts processes that MPI never connects: each would run the whole job
/// as rank 0 of a world of size 1, writing the same outputs twice. Under Open MPI without PMI
/// wire-up, MPI_Init itself aborts with a page of text instead. Both cases stop here with one line
/// naming the fix, exit 64 (usage: the launch command is wrong, nothing ran).
///
/// The expected size comes from the launcher: Open MPI's mpirun (`OMPI_COMM_WORLD_SIZE`), PMI
/// launchers (`PMI_SIZE`), else Slurm's task count (`SLURM_NTASKS`). A launcher variable wins over
/// `SLURM_NTASKS`, so `mpirun -np 1` inside a larger allocation is allowed.
public enum LaunchGuard {
    /// Variables a launcher sets when it wires the processes into one MPI world.
    static let wireUp = ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "PMI_FD"]

    /// The world size the environment asks for and the variable that says so, if it asks for one.
    static func expectedSize(_ env: [String: String]) -> (size: Int, variable: String)? {
        for name in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS"] {
            if let text = env[name], let size = Int(text) { return (size, name) }
        }
        return nil
    }

    /// Before MPI_Init: Slurm asked for several tasks but no launcher wired them up.
    public static func checkBeforeInit(_ env: [String: String]) throws {
        guard let (size, variable) = expectedSize(env), size > 1, variable == "SLURM_NTASKS",
              !wireUp.contains(where: { env[$0] != nil }) else { return }
        throw refusal(expected: size, variable: variable)
    }

    /// After MPI_Init: the world has one process although the launcher asked for more.
    public static func checkAfterInit(worldSize: Int, env: [String: String]) throws {
        guard worldSize == 1, let (size, variable) = expectedSize(env), size > 1 else { return }
        throw refusal(expected: size, variable: variable)
    }

    static func refusal(expected: Int, variable: String) -> InputError {
        InputError("\(variable)=\(expected) but MPI sees a world of 1 process: the tasks were started without MPI "
                   + "wire-up and would each run the whole job alone; launch with `srun --mpi=pmix` (or mpirun)",
                   exitCode: ExitStatus.usage)
    }
}
