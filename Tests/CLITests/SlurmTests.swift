import Foundation
import XCTest

/// On a real single-node Slurm cluster (scripts/slurm-up.sh): the shipped pipeline batch script
/// with a tiny job file (one task of two workers), and the launch guard under `srun --mpi=none`.
final class SlurmSingleNodeTests: SlurmClusterTestCase {
    func testPipelineBatchScriptEndsWithEvaluation() throws {
        let slurm = try up()
        let out = CLI.path("slurm-pipeline"), log = CLI.path("slurm-pipeline-%j.log")
        // One task with two cores: the script passes --cpus-per-task to srun and to --threads. The quickstart's
        // ranks_per_restart = "auto" gives each restart the one rank, which config.toml records.
        let tiny = try PipelineTests.tinyJob(named: "slurm-pipeline.toml")
        let job = try slurm.submit(["-n", "1", "-c", "2", "--output", log, "slurm/pipeline.sbatch"],
                                   extraEnvironment: ["JOB": tiny,
                                                      "OUT": out, "LATENTSIM": CLI.binary],
                                   directory: SlurmCluster.repository)
        let end = slurm.wait(for: job, timeout: 240)
        let text = self.log(log, job: job)
        XCTAssertEqual(end.state, "COMPLETED", text)
        XCTAssertEqual(end.exitCode, "0:0", text)
        XCTAssertTrue(text.contains("pipeline finished"), text)
        let evaluation = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/evaluation.json")))
        XCTAssertNotNil((evaluation as? [String: Any])?["ks"] as? [String: Double], "\(evaluation)")
        for stage in ["reduce", "ensemble"] {
            let config = try String(contentsOfFile: out + "/\(stage)/config.toml", encoding: .utf8)
            XCTAssertTrue(config.split(separator: "\n").contains("threads = 2"), "\(stage): two workers per rank\n\(config)")
        }
        let ensemble = try String(contentsOfFile: out + "/ensemble/config.toml", encoding: .utf8)
        XCTAssertTrue(ensemble.split(separator: "\n").contains("ranks_per_restart = 1"), ensemble)
    }

    /// Two tasks that MPI does not connect: each refuses with the launch guard's line, exit 64,
    /// instead of running the command twice as two 1-process worlds (or Open MPI's abort page).
    func testLaunchGuardUnderSrunWithoutMPI() throws {
        let slurm = try up()
        let r = slurm.client(["srun", "--mpi=none", "-n", "2", CLI.binary, "comm-check"])
        XCTAssertNotEqual(r.status, 0)
        let line = "error: SLURM_NTASKS=2 but MPI sees a world of 1 process: the tasks were started without MPI wire-up "
            + "and would each run the whole job alone; launch with `srun --mpi=pmix` (or mpirun)"
        let lines = r.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0 == line }.count, 2, r.stderr)
        XCTAssertTrue(lines.contains { $0.contains("Exited with exit code 64") }, r.stderr)
        XCTAssertEqual(r.stdout, "", "no task ran the command")
    }
}

/// On a real two-node Slurm cluster (two slurmd on this host; Open MPI between them over TCP only,
/// where MPI_Win_allocate fails): the shared counter falls back to messages and the ensemble's
/// leaderboard equals a single-node run's.
final class SlurmTwoNodeTests: SlurmClusterTestCase {
    override class var nodes: Int { 2 }

    /// slurm/generate.sbatch with four ranks on two nodes writes the shards a single process writes
    /// (same SHA-256 in the manifest): event i depends only on the model, the seed and i.
    func testGenerateScriptOnTwoNodesWritesTheSingleProcessShards() throws {
        let slurm = try up()
        let single = CLI.path("slurm-gen-one"), out = CLI.path("slurm-gen-two")
        let plain = try GenerateFixtures.generate("slurm-gen-one", events: 20_000, shard: 2500)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let log = CLI.path("slurm-gen-%j.log")
        let job = try slurm.submit(["-N", "2", "-n", "4", "--output", log, "slurm/generate.sbatch"],
                                   extraEnvironment: ["MODEL": GenerateFixtures.latent, "EVENTS": "20000", "SHARD_EVENTS": "2500",
                                                      "OUT": out, "LATENTSIM": CLI.binary],
                                   directory: SlurmCluster.repository)
        let end = slurm.wait(for: job, timeout: 180)
        let text = self.log(log, job: job)
        XCTAssertEqual(end.state, "COMPLETED", text)
        XCTAssertTrue(slurm.client(["scontrol", "show", "job", job]).stdout.contains("NodeList=n[1-2]"), "ran on both nodes")
        func shards(_ dir: String) throws -> [String] {
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/manifest.json")))
            let files = try XCTUnwrap((manifest as? [String: Any])?["shards"] as? [[String: Any]], "\(manifest)")
            return files.compactMap { $0["sha256"] as? String }
        }
        XCTAssertEqual(try shards(out).count, 8)
        XCTAssertEqual(try shards(out), try shards(single))
    }

    func testEnsembleAcrossTwoNodesMatchesOneNode() throws {
        let slurm = try up()
        let args = ["ensemble", "--config", EnsembleTests.job, "--data", EnsembleTests.data, "--reducer", EnsembleTests.reducer,
                    "--restarts", "3", "--ranks-per-restart", "2"]
        let single = try CLI.run(args + ["--out", CLI.path("slurm-ens-one")], ranks: 2)
        XCTAssertEqual(single.status, 0, single.stderr)
        // Cyclic placement: ranks 0 and 2 on n1, 1 and 3 on n2, so both groups of two span the nodes.
        let log = CLI.path("slurm-ens-%j.log"), out = CLI.path("slurm-ens-two")
        let script = """
        #!/bin/bash
        set -e
        srun -l --distribution=cyclic printenv SLURMD_NODENAME | sort
        srun --mpi=pmix --distribution=cyclic "$LATENTSIM" comm-check --counter-draws 2000
        srun --mpi=pmix --distribution=cyclic "$LATENTSIM" \(args.joined(separator: " ")) --out \(out)
        """
        let job = try slurm.submit(["-N", "2", "-n", "4", "--output", log, "--wrap", script],
                                   extraEnvironment: ["LATENTSIM": CLI.binary])
        let end = slurm.wait(for: job, timeout: 180)
        let text = self.log(log, job: job)
        XCTAssertEqual(end.state, "COMPLETED", text)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.prefix(4)), ["0: n1", "1: n2", "2: n1", "3: n2"], text)
        // No shared memory between the nodes: the window cannot be made and the messages serve the counter.
        XCTAssertTrue(lines.contains("counter-kind messages"), text)
        XCTAssertTrue(lines.contains("counter 0..<2004 each drawn once"), text)
        XCTAssertTrue(lines.contains("counter-start 7..<11 each drawn once"), text)
        let board = { (dir: String) in try Data(contentsOf: URL(fileURLWithPath: dir + "/leaderboard.json")) }
        XCTAssertEqual(try board(out), try board(CLI.path("slurm-ens-one")), "same seed and group size, same leaderboard")
        for i in 0..<3 {
            let result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + String(format: "/restarts/%03d/result.json", i))))
            XCTAssertEqual((result as? [String: Any])?["finished"] as? Bool, true, "restart \(i)")
        }
    }
}
