import Foundation
import XCTest

/// Two throwaway Slurm clusters up at once on this host (the Slurm tests of two test runs, or a
/// test run next to a cluster started by hand). Open MPI under `srun --mpi=pmix` names its
/// shared-memory files after a hash of the PMIx namespace slurm.pmix.JOB.STEP
/// (/dev/shm/vader_segment.HOST.UID.HASH.LOCALRANK), so two clusters that both start at job 1
/// give their first steps the same files: the step that starts second re-initialises the running
/// one's segments, whose ranks then die with SIGSEGV in mca_btl_vader.so. slurm-up.sh therefore
/// gives every cluster its own block of job ids (FirstJobId from its port base).
final class SlurmConcurrentClustersTests: XCTestCase {
    /// A reduction long enough (60 epochs, about 10 s on 2 busy cores) to be running, with an
    /// allreduce every step, while the other cluster starts its job.
    static let job = CLI.fixture(text: """
        [reduce]
        columns = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz"]
        latent = 6
        widths = [24, 12]
        batch = 128
        epochs = 60
        checkpoint_every = 100000
        """, to: CLI.path("slurm-concurrent-job.toml"))

    func testTwoClustersRunTwoRankJobsAtOnceWithoutSharingOpenMPISegments() throws {
        let a = try SlurmCluster.start(nodes: 1, name: "slurm-concurrent-a").require()
        defer { a.stop() }
        let b = try SlurmCluster.start(nodes: 1, name: "slurm-concurrent-b").require()
        defer { b.stop() }
        let out = CLI.path("slurm-concurrent-reduce"), logA = CLI.path("slurm-concurrent-a-%j.log")
        try? FileManager.default.removeItem(atPath: out)
        let reduce = "srun --mpi=pmix '\(CLI.binary)' reduce --config '\(Self.job)' --data '\(EnsembleTests.data)' --threads 1 --out '\(out)'"
        let jobA = try a.submit(["-n", "2", "--output", logA, "--wrap", reduce])
        // The reduction is inside its training loop (every rank has initialised MPI and exchanged
        // gradients) once it has written the first epoch's line.
        let history = out + "/history.jsonl"
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: history) && Date() < deadline { usleep(100_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: history), "the reduction in cluster A never started training")
        let logB = CLI.path("slurm-concurrent-b-%j.log")
        let jobB = try b.submit(["-n", "2", "--output", logB, "--wrap", "srun --mpi=pmix '\(CLI.binary)' comm-check"])
        let endB = b.wait(for: jobB, timeout: 120)
        let endA = a.wait(for: jobA, timeout: 240)
        let textA = SlurmCluster.log(logA, job: jobA)
        let textB = SlurmCluster.log(logB, job: jobB)
        print("cluster A job \(jobA): \(endA.state) \(endA.exitCode); cluster B job \(jobB): \(endB.state) \(endB.exitCode)")
        // Equal ids mean equal PMIx namespaces (slurm.pmix.JOB.0), the cause of the collision.
        XCTAssertNotEqual(jobA, jobB, "two clusters up at once handed out the same job id")
        XCTAssertEqual(endA.state, "COMPLETED", textA)
        XCTAssertEqual(endA.exitCode, "0:0", textA)
        XCTAssertTrue(textA.contains("mean KS"), textA)
        XCTAssertEqual(endB.state, "COMPLETED", textB)
        XCTAssertEqual(endB.exitCode, "0:0", textB)
        XCTAssertTrue(textB.contains("agreed"), textB)
    }
}
