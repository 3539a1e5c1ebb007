import Foundation
import XCTest

/// The batch scripts of slurm/ on a real single-node Slurm cluster: an ensemble as a job array with
/// an afterok select against the one-allocation script, and preemption (`scancel --batch
/// --signal=USR1`) with the scripts' requeue guard, whose final outputs must be the bytes of an
/// uninterrupted run.
final class SlurmScriptTests: SlurmClusterTestCase {
    /// EnsembleTests' small networks with three restarts.
    static var ensembleJob: String = job("slurm-ens-job.toml", steps: 40, restarts: 3)
    /// Long enough to be stopped after its first snapshot and short enough to finish soon after.
    static var preemptJob: String = job("slurm-preempt-job.toml", steps: 320, restarts: 2)

    static func job(_ name: String, steps: Int, restarts: Int) -> String {
        CLI.fixture(text: """
        [ensemble]
        generator_widths = [24, 24]
        discriminator_widths = [24, 12]
        batch = 64
        steps = \(steps)
        snapshot_every = 20
        validation_events = 600
        optimizer = "adam"
        lr = 1e-3
        top_k = 2
        restarts = \(restarts)
        """, to: CLI.path(name))
    }

    var ensembleEnvironment: [String: String] {
        ["DATA": EnsembleTests.data, "REDUCER": EnsembleTests.reducer, "LATENTSIM": CLI.binary]
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Polls `condition` every 0.1 s for up to `timeout` seconds.
    func eventually(_ timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    /// The one-allocation script (2 tasks, r = 1) and the array script (one task per restart)
    /// chained to the select script with afterok give byte-identical leaderboards and the same best
    /// generator.
    func testArrayWithAfterokSelectEqualsTheOneAllocationEnsemble() throws {
        let slurm = try up()
        let one = CLI.path("slurm-ens-alloc"), array = CLI.path("slurm-ens-array")
        let oneLog = CLI.path("slurm-ens-alloc-%j.log"), arrayLog = CLI.path("slurm-ens-array-%A_%a.log")
        let selectLog = CLI.path("slurm-ens-select-%j.log")
        let env = ensembleEnvironment.merging(["JOB": SlurmScriptTests.ensembleJob]) { $1 }
        let a = try slurm.submit(["-n", "2", "--output", oneLog, "slurm/ensemble.sbatch"],
                                 extraEnvironment: env.merging(["OUT": one]) { $1 }, directory: SlurmCluster.repository)
        let tasks = try slurm.submit(["--array=0-2", "-n", "1", "--output", arrayLog, "slurm/ensemble-array.sbatch"],
                                     extraEnvironment: env.merging(["OUT": array]) { $1 }, directory: SlurmCluster.repository)
        let select = try slurm.submit(["--dependency=afterok:\(tasks)", "--kill-on-invalid-dep=yes", "--output", selectLog,
                                       "slurm/select.sbatch"], extraEnvironment: ["OUT": array, "LATENTSIM": CLI.binary],
                                      directory: SlurmCluster.repository)
        let endOne = slurm.wait(for: a, timeout: 200)
        XCTAssertEqual(endOne.state, "COMPLETED", log(oneLog, job: a))
        let endSelect = slurm.wait(for: select, timeout: 200)
        let taskLogs = (0..<3).map { log(arrayLog.replacingOccurrences(of: "%A_%a", with: "\(tasks)_\($0)"), job: tasks) }
        XCTAssertEqual(endSelect.state, "COMPLETED", log(selectLog, job: select) + taskLogs.joined(separator: "\n"))
        for i in 0..<3 {
            let link = array + String(format: "/restarts/%03d", i)
            XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), String(format: "../tasks/%03d/restarts/%03d", i, i))
        }
        XCTAssertEqual(try bytes(array + "/leaderboard.json"), try bytes(one + "/leaderboard.json"), "same seed, same leaderboard")
        XCTAssertEqual(try bytes(array + "/best/selection.json"), try bytes(one + "/best/selection.json"))
        // (The checkpoints store the run's configuration, whose `out` differs: their bytes are not compared.)
        XCTAssertEqual(try bytes(array + "/reducer.h5"), try bytes(one + "/reducer.h5"))
    }

    /// The ensemble script stopped by USR1 after its first snapshots: every group saves its state,
    /// the job requeues itself, continues, and ends with the bytes of an uninterrupted run.
    func testEnsemblePreemptedAndRequeuedEndsAsAnUninterruptedRun() throws {
        let slurm = try up()
        let reference = CLI.path("slurm-preempt-ref"), out = CLI.path("slurm-preempt")
        // The uninterrupted run in the same directory (stored configurations name it), then moved aside.
        let plain = try CLI.run(["ensemble", "--config", SlurmScriptTests.preemptJob, "--data", EnsembleTests.data,
                                 "--reducer", EnsembleTests.reducer, "--threads", "1", "--out", out], ranks: 2)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        try FileManager.default.moveItem(atPath: out, toPath: reference)
        let logPattern = CLI.path("slurm-preempt-%j.log")
        let job = try slurm.submit(["-n", "2", "--output", logPattern, "slurm/ensemble.sbatch"],
                                   extraEnvironment: ensembleEnvironment.merging(["JOB": SlurmScriptTests.preemptJob, "OUT": out]) { $1 },
                                   directory: SlurmCluster.repository)
        // The first line comes after the stop handler is installed: signal at once, so that even a
        // fast machine cannot finish the restarts before the signal arrives.
        XCTAssertTrue(eventually(120) { log(logPattern, job: job).contains("ensemble: 2 restart(s)") }, log(logPattern, job: job))
        let signal = slurm.client(["scancel", "--batch", "--signal=USR1", job])
        XCTAssertEqual(signal.status, 0, signal.stderr)
        let end = slurm.wait(for: job, timeout: 240)
        let text = log(logPattern, job: job)
        print("preempted ensemble job \(job), its log:\n\(text)")
        XCTAssertEqual(end.state, "COMPLETED", text)
        XCTAssertTrue(text.contains("latentsim-slurm: stopped at a safe point on SIGUSR1 (exit 75); requeueing job \(job) "
                                    + "(requeue 1 of at most 3)"), text)
        XCTAssertTrue(text.contains("resuming restart"), text)
        XCTAssertTrue(slurm.client(["scontrol", "show", "job", job]).stdout.contains("Restarts=1"))
        for file in ["leaderboard.json", "best/selection.json", "best/generator.h5"] {
            XCTAssertEqual(try bytes(out + "/" + file), try bytes(reference + "/" + file), file)
        }
    }

    /// The generate script stopped by USR1 once its first shards are written: the ranks finish their
    /// shards, the job requeues itself, regenerates only the missing ones and ends with the shards of
    /// an uninterrupted run (the manifest's SHA-256) and a master that verifies.
    func testGeneratePreemptedAndRequeuedWritesTheUninterruptedShards() throws {
        let slurm = try up()
        let reference = CLI.path("slurm-gen-ref"), out = CLI.path("slurm-gen-pre")
        let plain = try GenerateFixtures.generate("slurm-gen-ref", events: 400_000, shard: 10_000)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let logPattern = CLI.path("slurm-gen-pre-%j.log")
        let job = try slurm.submit(["-n", "2", "--output", logPattern, "slurm/generate.sbatch"],
                                   extraEnvironment: ["MODEL": GenerateFixtures.latent, "EVENTS": "400000", "SHARD_EVENTS": "10000",
                                                      "OUT": out, "LATENTSIM": CLI.binary],
                                   directory: SlurmCluster.repository)
        XCTAssertTrue(eventually(120) {
            ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).contains { $0.hasPrefix("shard-") }
        }, log(logPattern, job: job))
        XCTAssertEqual(slurm.client(["scancel", "--batch", "--signal=USR1", job]).status, 0)
        let end = slurm.wait(for: job, timeout: 240)
        let text = log(logPattern, job: job)
        XCTAssertEqual(end.state, "COMPLETED", text)
        XCTAssertTrue(text.contains("latentsim-slurm: stopped at a safe point on SIGUSR1 (exit 75); requeueing job \(job) "
                                    + "(requeue 1 of at most 3)"), text)
        func shards(_ dir: String) throws -> [String] {
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/manifest.json")))
            let files = try XCTUnwrap((manifest as? [String: Any])?["shards"] as? [[String: Any]], "\(manifest)")
            return files.map { ($0["sha256"] as? String) ?? "missing" }
        }
        XCTAssertEqual(try shards(out).count, 40)
        XCTAssertEqual(try shards(out), try shards(reference))
        let verify = try CLI.run(["verify", out])
        XCTAssertEqual(verify.status, 0, verify.stderr)
    }

    /// The reduce script with LATENTSIM_MAX_RESTARTS=1: stopped, requeued and resumed once, stopped
    /// again: the job fails with the guard's line instead of requeueing. Submitting the same script
    /// again continues from the checkpoint and ends with the bytes of an uninterrupted reduction.
    /// The stops come from the test hook (each run raises SIGUSR1 on itself after its 5th step), not
    /// from scancel: the whole reduction takes about a second, so a requeued run could finish before
    /// a second scancel arrived (CI saw exactly that). The two tests above deliver the real USR1.
    func testReduceRequeueLimitFailsWithOneLineAndAResubmissionFinishes() throws {
        let slurm = try up()
        let reference = CLI.path("slurm-reduce-ref"), out = CLI.path("slurm-reduce")
        let job = CLI.fixture(text: """
        [reduce]
        columns = [\(EnsembleTests.columns.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ", "))]
        latent = 6
        widths = [24, 12]
        batch = 128
        epochs = 8
        checkpoint_every = 100
        """, to: CLI.path("slurm-reduce-job.toml"))
        // The uninterrupted run in the same directory (model.h5 stores the configuration, which names it), moved aside.
        let plain = try CLI.run(["reduce", "--config", job, "--data", EnsembleTests.data, "--threads", "1", "--out", out], ranks: 2)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        try FileManager.default.moveItem(atPath: out, toPath: reference)
        let logPattern = CLI.path("slurm-reduce-%j.log")
        let env = ["JOB": job, "DATA": EnsembleTests.data, "OUT": out, "LATENTSIM": CLI.binary, "LATENTSIM_MAX_RESTARTS": "1"]
        let first = try slurm.submit(["-n", "2", "--output", logPattern, "slurm/reduce.sbatch"],
                                     extraEnvironment: env.merging(["LATENTSIM_TEST_STOP": "reduce:5"]) { $1 },
                                     directory: SlurmCluster.repository)
        let end = slurm.wait(for: first, timeout: 120)
        let text = log(logPattern, job: first)
        XCTAssertEqual(end.state, "FAILED", text)
        XCTAssertEqual(end.exitCode, "75:0", text)
        let line = "latentsim-slurm: job \(first) stopped again (exit 75) after 1 requeue(s), the limit LATENTSIM_MAX_RESTARTS=1; "
            + "not requeueing: its outputs are complete so far, resubmit the same script to continue (a longer --time or a "
            + "higher LATENTSIM_MAX_RESTARTS needs fewer requeues)"
        XCTAssertEqual(text.split(separator: "\n").filter { $0 == line }.count, 1, text)
        XCTAssertTrue(text.contains("requeueing job \(first) (requeue 1 of at most 1)"), text)
        let again = try slurm.submit(["-n", "2", "--output", logPattern, "slurm/reduce.sbatch"], extraEnvironment: env,
                                     directory: SlurmCluster.repository)
        let end2 = slurm.wait(for: again, timeout: 180)
        XCTAssertEqual(end2.state, "COMPLETED", log(logPattern, job: again))
        // The first run stopped after step 6, the requeued one 6 steps later; each following run
        // (the requeue, then the resubmission) said it resumed from exactly that step: neither started over.
        let stops = text.components(separatedBy: "finished step ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        XCTAssertEqual(stops, [6, 12], text)
        XCTAssertTrue(text.contains("reduce: resuming from step 6 (checkpoint \(out)/model.h5)"), text)
        let resubmitted = log(logPattern, job: again)
        XCTAssertTrue(resubmitted.contains("reduce: resuming from step 12 (checkpoint \(out)/model.h5)"), resubmitted)
        // The history holds every step once, as the uninterrupted run's does.
        func steps(_ dir: String) throws -> [Int] {
            try String(contentsOfFile: dir + "/history.jsonl", encoding: .utf8).split(separator: "\n").map { line in
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return try XCTUnwrap(object?["step"] as? Int, String(line))
            }
        }
        XCTAssertEqual(try steps(out), try steps(reference))
        for file in ["reconstruction.json", "model.h5", "latent.h5", "heldout.h5"] {
            XCTAssertEqual(try bytes(out + "/" + file), try bytes(reference + "/" + file), file)
        }
    }
}
