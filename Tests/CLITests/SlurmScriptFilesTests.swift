import Foundation
import XCTest

/// The batch scripts of slurm/ as files (no Slurm needed): each has the "change for your cluster"
/// block, a comment above every #SBATCH line, valid bash, and runs its stage through the requeue
/// guard; the guard's decisions on exit 75 (requeue, or fail at the limit) without a cluster.
final class SlurmScriptFilesTests: XCTestCase {
    static let directory = SlurmCluster.repository + "/slurm"

    var scripts: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: SlurmScriptFilesTests.directory)) ?? [])
            .filter { $0.hasSuffix(".sbatch") }.sorted()
    }

    func testEveryScriptHasTheClusterBlockACommentPerSBATCHLineAndTheGuard() throws {
        XCTAssertEqual(scripts, ["ensemble-array.sbatch", "ensemble.sbatch", "generate.sbatch", "pipeline.sbatch",
                                 "reduce.sbatch", "select.sbatch", "simulate.sbatch"])
        for name in scripts {
            let path = SlurmScriptFilesTests.directory + "/" + name
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertTrue(lines.contains { $0.contains("---- change for your cluster ----") }, name)
            let directives = lines.indices.filter { lines[$0].hasPrefix("#SBATCH") }
            XCTAssertGreaterThanOrEqual(directives.count, 3, name)
            for i in directives {
                let above = lines[i - 1]
                XCTAssertTrue(above.hasPrefix("# ") && !above.hasPrefix("#SBATCH"), "\(name): no comment above '\(lines[i])'")
            }
            XCTAssertTrue(lines.contains { $0 == "source slurm/requeue.sh" }, name)
            XCTAssertTrue(lines.contains { $0.hasPrefix("run_resumable srun --mpi=pmix") }, name)
            let syntax = SlurmCluster.run(["bash", "-n", path], environment: CLI.environment, timeout: 30)
            XCTAssertEqual(syntax.status, 0, "\(name): \(syntax.stderr)")
        }
    }

    /// run_resumable with a step that exits `status`, as requeue `count` of job 42; scontrol is a
    /// stub on PATH that records its arguments.
    func guardRun(status: Int, count: Int?, limit: String?) throws -> (SlurmCluster.Result, String) {
        let bin = CLI.path("guard-bin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let record = bin + "/scontrol.args"
        try "#!/bin/sh\necho \"$@\" > \(record)\nkill -TERM $PPID\n".write(toFile: bin + "/scontrol", atomically: true, encoding: .utf8)
        XCTAssertEqual(chmod(bin + "/scontrol", 0o755), 0)
        var env = CLI.environment
        env["PATH"] = bin + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env["SLURM_JOB_ID"] = "42"
        env["SLURM_RESTART_COUNT"] = count.map(String.init)
        env["LATENTSIM_MAX_RESTARTS"] = limit
        let r = SlurmCluster.run(["bash", "-c", "source slurm/requeue.sh; run_resumable sh -c 'exit \(status)'; echo \"returned $?\""],
                                 environment: env, directory: SlurmCluster.repository, timeout: 30)
        return (r, (try? String(contentsOfFile: record, encoding: .utf8)) ?? "")
    }

    func testTheGuardRequeuesOnExit75UntilTheLimitThenFailsWithOneLine() throws {
        let (requeued, args) = try guardRun(status: 75, count: nil, limit: nil)
        XCTAssertEqual(args, "requeue 42\n")
        XCTAssertEqual(requeued.stdout, "latentsim-slurm: stopped at a safe point on SIGUSR1 (exit 75); requeueing job 42 "
                       + "(requeue 1 of at most 3)\n")
        let (second, args2) = try guardRun(status: 75, count: 2, limit: nil)
        XCTAssertEqual(args2, "requeue 42\n", second.stderr)
        XCTAssertTrue(second.stdout.hasSuffix("(requeue 3 of at most 3)\n"), second.stdout)
        let (failed, none) = try guardRun(status: 75, count: 3, limit: nil)
        XCTAssertEqual(none, "", "no requeue at the limit")
        XCTAssertEqual(failed.status, 75)
        XCTAssertEqual(failed.stderr, "latentsim-slurm: job 42 stopped again (exit 75) after 3 requeue(s), the limit "
                       + "LATENTSIM_MAX_RESTARTS=3; not requeueing: its outputs are complete so far, resubmit the same script "
                       + "to continue (a longer --time or a higher LATENTSIM_MAX_RESTARTS needs fewer requeues)\n")
        let (zero, _) = try guardRun(status: 75, count: nil, limit: "0")
        XCTAssertEqual(zero.status, 75)
        XCTAssertTrue(zero.stderr.contains("after 0 requeue(s), the limit LATENTSIM_MAX_RESTARTS=0"), zero.stderr)
        // Any other status is the step's own: no requeue.
        let (other, args3) = try guardRun(status: 66, count: nil, limit: nil)
        XCTAssertEqual(other.stdout, "returned 66\n")
        XCTAssertEqual(args3, "")
    }
}
