import XCTest

/// The launch guard: a multi-task launch that MPI did not wire into one world is refused at start-up.
final class LaunchGuardTests: XCTestCase {
    /// Slurm asked for two tasks but nothing wired them into one MPI world (srun --mpi=none, or a
    /// batch script without srun): refused before MPI_Init, which would abort with a page of text.
    func testAOneProcessWorldUnderAMultiTaskSlurmStepIsRefused() throws {
        let r = try CLI.run(["comm-check"], extraEnvironment: ["SLURM_NTASKS": "2"])
        XCTAssertEqual(r.status, 64)
        XCTAssertEqual(r.errorLines, ["error: SLURM_NTASKS=2 but MPI sees a world of 1 process: the tasks were started "
                                      + "without MPI wire-up and would each run the whole job alone; launch with "
                                      + "`srun --mpi=pmix` (or mpirun)"])
        XCTAssertEqual(r.stdout, "")
    }

    /// One task, or a launcher that wired the world (mpirun's variables win over SLURM_NTASKS): runs.
    func testOneTaskOrAWiredWorldRuns() throws {
        let single = try CLI.run(["comm-check"], extraEnvironment: ["SLURM_NTASKS": "1"])
        XCTAssertEqual(single.status, 0, single.stderr)
        let wired = try CLI.run(["comm-check"], ranks: 2, extraEnvironment: ["SLURM_NTASKS": "4"])
        XCTAssertEqual(wired.status, 0, wired.stderr)
        XCTAssertTrue(wired.stdout.hasPrefix("size 2\n"), wired.stdout)
    }
}
