import Foundation
import XCTest
@testable import Support

/// Stop and resume (issue 15): each long stage, stopped by SIGUSR1 at a deterministic point under
/// mpirun -np 2, exits 75 leaving only complete files under final names, and rerunning the same
/// command ends with the same bytes (SHA-256) as an uninterrupted run; a stage stopped twice without
/// progress exits 78 instead. The stop point comes from the LATENTSIM_TEST_STOP=STAGE:N hook: after
/// its Nth step, chunk or shard each rank sends SIGUSR1 to itself, through the handler a real
/// signal would reach. Outputs record their paths, so each comparison reruns in the same relative
/// directory (the tests run in the scratch directory) after moving the reference aside.
final class ResumeTests: XCTestCase {
    /// A pipeline where every stage runs and takes a few seconds at most.
    static let job = CLI.fixture(text: """
        [pipeline]
        process = "dy"
        events = 3000
        seed = 1
        generate_events = 3000
        shard_events = 1000

        [reduce]
        columns = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz"]
        latent = 4
        widths = [16, 8]
        epochs = 2
        batch = 128
        lr = 3e-3
        seed = 3

        [ensemble]
        noise = 4
        regression = []
        restarts = 2
        steps = 12
        batch = 128
        snapshot_every = 4
        validation_events = 500
        score = ["mll", "dphi_ll"]
        generator_widths = [16, 16]
        discriminator_widths = [16, 8]

        """, to: CLI.path("resume.toml"))

    /// An uninterrupted pipeline run in `pipe`, then moved to `pipe-ref`.
    static let reference: String = {
        CLI.fixture(["pipeline", job, "--out", "pipe"], ranks: 2)
        move("pipe", to: "pipe-ref")
        return "pipe-ref"
    }()

    static func move(_ name: String, to target: String) {
        try? FileManager.default.removeItem(atPath: CLI.path(target))
        do { try FileManager.default.moveItem(atPath: CLI.path(name), toPath: CLI.path(target)) } catch {
            fatalError("cannot move \(name) to \(target): \(error)")
        }
    }

    func run(_ arguments: [String], stopAt hook: String? = nil) throws -> CLI.Outcome {
        try CLI.run(arguments, ranks: 2, extraEnvironment: hook.map { ["LATENTSIM_TEST_STOP": $0] } ?? [:])
    }

    /// Every file under `directory` (relative paths, sorted), hidden ones included.
    func files(_ directory: String) -> [String] {
        let root = CLI.path(directory)
        let all = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []
        return all.filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: root + "/" + $0, isDirectory: &d) && !d.boolValue }
            .sorted()
    }

    func sha(_ path: String) throws -> String { try SHA256.hex(files: [CLI.path(path)]) }

    /// The same SHA-256 for each listed file of the two directories.
    func assertSameBytes(_ names: [String], _ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertFalse(names.isEmpty, file: file, line: line)
        for name in names {
            XCTAssertEqual(try sha(a + "/" + name), try sha(b + "/" + name), "\(name): \(a) vs \(b)", file: file, line: line)
        }
    }

    /// Nothing half-written under a final name: no temporary (.partial) file anywhere.
    func assertNoPartialFiles(_ directory: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(files(directory).filter { $0.hasSuffix(".partial") }, [], file: file, line: line)
    }

    func testSimulateRedoesItsFileAndASecondStopWithoutProgressExits78() throws {
        XCTAssertEqual(try run(["simulate", "--events", "3000", "--out", "sim-ref/dy.h5"]).status, 0)
        let first = try run(["simulate", "--events", "3000", "--out", "sim/dy.h5"], stopAt: "simulate:1")
        XCTAssertEqual(first.status, 75, first.stderr)
        XCTAssertEqual(first.errorLines, ["stopped: a signal arrived; simulated 3000 of 3000 events in memory, wrote nothing "
                                          + "(simulate redoes its one file sim/dy.h5); rerun the same command to continue"])
        XCTAssertEqual(files("sim"), [".dy.h5.latentsim-stop-simulate.json"])
        // Requeued and stopped again before writing: no progress, so no exit 75 that would requeue it forever.
        let second = try run(["simulate", "--events", "3000", "--out", "sim/dy.h5"], stopAt: "simulate:1")
        XCTAssertEqual(second.status, 78, second.stderr)
        XCTAssertEqual(second.errorLines, ["error: simulate stopped again on a signal with no progress since the last stop "
                                           + "(0 of 3000 events saved both times, recorded in sim/.dy.h5.latentsim-stop-simulate.json); "
                                           + "give the job a longer time limit (or an earlier warning signal) and rerun, or delete "
                                           + "sim/.dy.h5.latentsim-stop-simulate.json to allow one more try"])
        let done = try run(["simulate", "--events", "3000", "--out", "sim/dy.h5"])
        XCTAssertEqual(done.status, 0, done.stderr)
        XCTAssertEqual(files("sim"), ["dy.h5"], "the finished stage removed its stop record")
        try assertSameBytes(["dy.h5"], "sim-ref", "sim")
    }

    /// The same command each time, as a requeued job runs it: --resume starts at step 0 while there is no checkpoint.
    func testReduceStoppedAndResumedWritesTheSameModelAndTables() throws {
        let reduce = ["reduce", "--config", ResumeTests.job, "--data", ResumeTests.reference + "/dy.h5", "--out", "red", "--resume"]
        let fresh = try run(reduce)
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        XCTAssertTrue(fresh.stdout.contains("reduce: no checkpoint red/model.h5 yet; starting from step 0"), fresh.stdout)
        ResumeTests.move("red", to: "red-ref")
        let stopped = try run(reduce, stopAt: "reduce:5")
        XCTAssertEqual(stopped.status, 75, stopped.stderr)
        XCTAssertEqual(stopped.errorLines, ["stopped: a signal arrived; finished step 6, wrote checkpoint red/model.h5; "
                                            + "rerun with --resume to continue"])
        XCTAssertEqual(files("red"), [".latentsim-stop-reduce.json", "history.jsonl", "model.h5"])
        let resumed = try run(reduce)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("reduce: resuming from step 6 (checkpoint red/model.h5)"), resumed.stdout)
        // Continued from step 6: the history kept its first 6 lines and has one per step, as the reference's.
        XCTAssertEqual(try String(contentsOfFile: CLI.path("red/history.jsonl"), encoding: .utf8).split(separator: "\n").count,
                       try String(contentsOfFile: CLI.path("red-ref/history.jsonl"), encoding: .utf8).split(separator: "\n").count)
        XCTAssertEqual(files("red"), files("red-ref"))
        try assertSameBytes(["model.h5", "latent.h5", "heldout.h5", "reconstruction.json", "config.toml"], "red-ref", "red")
    }

    func testEnsembleStoppedAndRerunSelectsTheSameBestModel() throws {
        let ensemble = ["ensemble", "--config", ResumeTests.job, "--data", ResumeTests.reference + "/dy.h5",
                        "--reducer", ResumeTests.reference + "/reduce", "--out", "ens"]
        XCTAssertEqual(try run(ensemble).status, 0)
        ResumeTests.move("ens", to: "ens-ref")
        let stopped = try run(ensemble, stopAt: "ensemble:7")
        XCTAssertEqual(stopped.status, 75, stopped.stderr)
        XCTAssertEqual(stopped.errorLines, ["stopped: a signal arrived; every running restart saved its state in ens/restarts; "
                                            + "rerun the same command to continue"])
        XCTAssertFalse(files("ens").contains { $0.hasPrefix("best/") || $0.hasPrefix("leaderboard") }, "\(files("ens"))")
        assertNoPartialFiles("ens")
        let rerun = try run(ensemble)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        // Both restarts stopped after step 8 (one per rank); rank 0 logs the one it drew.
        XCTAssertNotNil(rerun.stdout.range(of: "resuming restart [01] from step 8", options: .regularExpression), rerun.stdout)
        XCTAssertEqual(files("ens"), files("ens-ref"))
        try assertSameBytes(["leaderboard.json", "leaderboard.csv", "best/generator.h5", "best/reducer.h5", "best/selection.json"]
                            + files("ens").filter { $0.hasSuffix(".h5") }, "ens-ref", "ens")
    }

    func testGenerateStoppedKeepsCompleteShardsVerifiesThemAndEndsWithTheSameShards() throws {
        let generate = ["generate", "--model", ResumeTests.reference + "/ensemble/best", "--events", "3000", "--shard-events", "1000",
                        "--out", "gen"]
        XCTAssertEqual(try run(generate).status, 0)
        ResumeTests.move("gen", to: "gen-ref")
        let stopped = try run(generate, stopAt: "generate:1")
        XCTAssertEqual(stopped.status, 75, stopped.stderr)
        XCTAssertEqual(stopped.errorLines, ["stopped: a signal arrived; 2 of 3 shard(s) of gen are complete and listed with their "
                                            + "SHA-256 in gen/manifest.json (complete: false); rerun the same command to continue"])
        // Rank 0 wrote shard 0 and rank 1 shard 1; no master, shard 2 not even under a temporary name.
        XCTAssertEqual(files("gen"), [".latentsim-stop-generate.json", "manifest.json", "shard-00000.h5", "shard-00001.h5"])
        let manifest = try JSONValue.parse(String(contentsOfFile: CLI.path("gen/manifest.json"), encoding: .utf8))
        XCTAssertEqual(manifest["complete"]?.bool, false)
        guard case .array(let listed)? = manifest["shards"] else { return XCTFail("manifest.json lists no shards") }
        XCTAssertEqual(listed.map { $0["sha256"]?.string }, [try sha("gen-ref/shard-00000.h5"), try sha("gen-ref/shard-00001.h5"), nil])
        // A complete shard damaged in between is caught by its checksum and regenerated.
        let damaged = try FileHandle(forWritingTo: URL(fileURLWithPath: CLI.path("gen/shard-00001.h5")))
        try damaged.seek(toOffset: 4000)
        try damaged.write(contentsOf: Data([0xff, 0xfe]))
        try damaged.close()
        let rerun = try run(generate)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stdout.contains("into 2 of 3 shard(s), kept 1 intact"), rerun.stdout)
        XCTAssertEqual(files("gen"), files("gen-ref"))
        try assertSameBytes(["shard-00000.h5", "shard-00001.h5", "shard-00002.h5", "events.h5"], "gen-ref", "gen")
    }

    /// The pipeline stopped once in every stage (and twice in select: the second stop, with nothing
    /// done in between, exits 78), rerun after each stop as a requeued job would be, ends with the
    /// same files as the uninterrupted reference, byte for byte except the timing logs.
    func testPipelineStoppedInEveryStageEndsWithTheSameBytes() throws {
        let reference = ResumeTests.reference
        let pipeline = ["pipeline", ResumeTests.job, "--out", "pipe"]
        // (hook, exit code, the stage it stops in, a line showing that the previous stop's work was continued).
        // Each rank (one restart each) stops its restart after step 8; which rank drew which restart varies, and
        // only rank 0 logs. The reduction stops after step 6, then resumed, 4 steps later.
        for (hook, status, lastStage, continued) in [
            ("simulate:1", 75, "simulate", nil), ("reduce:5", 75, "reduce", nil),
            ("reduce:3", 75, "reduce", "finished step 10, wrote checkpoint pipe/reduce/model.h5"),
            ("ensemble:7", 75, "ensemble", "== pipeline: reduce (resuming from pipe/reduce/model.h5)"),
            ("select:1", 75, "select", "from step 8"), ("select:1", 78, "select", nil),
            ("generate:1", 75, "generate", nil), ("evaluate:1", 75, "evaluate", "into 1 of 3 shard(s), kept 2 intact"),
        ] {
            let r = try run(pipeline, stopAt: hook)
            XCTAssertEqual(r.status, Int32(status), "\(hook): \(r.stderr)")
            if let continued {
                XCTAssertTrue((r.stdout + r.stderr).contains(continued), "\(hook): expected '\(continued)' in\n\(r.stdout)\(r.stderr)")
            }
            XCTAssertEqual(r.errorLines.count, 1, "\(hook): one line from one rank: \(r.stderr)")
            let last = r.stdout.split(separator: "\n").last { $0.hasPrefix("== pipeline:") } ?? ""
            XCTAssertTrue(last == "== pipeline: \(lastStage)" || last.hasPrefix("== pipeline: \(lastStage) ("),
                          "\(hook): stopped in \(last), not \(lastStage)")
            assertNoPartialFiles("pipe")
            XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("pipe/evaluation.json")), hook)
        }
        let done = try run(pipeline)
        XCTAssertEqual(done.status, 0, done.stderr)
        XCTAssertTrue(done.stdout.contains("pipeline finished"), done.stdout)
        XCTAssertEqual(files("pipe"), files(reference), "same files, and no stop record left")
        // Timing logs, the manifest's duration and result.json's group (which group drew the restart) differ by nature.
        let timed = ["history.jsonl", "snapshots.jsonl", "manifest.json", "result.json"]
        try assertSameBytes(files("pipe").filter { name in !timed.contains { name.hasSuffix($0) } }, reference, "pipe")
    }
}
