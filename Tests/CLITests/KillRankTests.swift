import Foundation
import XCTest

/// A rank killed with SIGKILL (the OOM killer, a node failure) must end the whole job within
/// seconds, with a non-zero exit, instead of leaving the other ranks waiting in a collective for
/// ever. Open MPI's runtime sees the lost process and takes the job down; these tests hold that
/// for the two long stages, under plain `mpirun -np 2` (no Slurm needed).
final class KillRankTests: XCTestCase {
    /// Seconds from the SIGKILL to mpirun's exit that count as "ends the job" (measured: about 1 s).
    static let bound: TimeInterval = 15

    /// A long ensemble: enough steps that training is still running when the rank is killed.
    static var longJob: String = {
        CLI.fixture(text: """
        [ensemble]
        generator_widths = [24, 24]
        discriminator_widths = [24, 12]
        batch = 64
        steps = 200000
        snapshot_every = 50
        validation_events = 600
        optimizer = "adam"
        lr = 1e-3
        top_k = 2
        restarts = 2
        """, to: CLI.path("kill-job.toml"))
    }()

    func testKillingOneEnsembleRankEndsTheJob() throws {
        let out = CLI.path("kill-ens")
        try killOneRank(["ensemble", "--config", KillRankTests.longJob, "--data", EnsembleTests.data,
                         "--reducer", EnsembleTests.reducer, "--out", out]) {
            // Both groups are training once their restarts have a first snapshot record.
            (0..<2).allSatisfy { FileManager.default.fileExists(atPath: out + String(format: "/restarts/%03d/snapshots.jsonl", $0)) }
        }
    }

    func testKillingOneGenerateRankEndsTheJob() throws {
        let out = CLI.path("kill-gen")
        try killOneRank(["generate", "--model", GenerateFixtures.latent, "--events", "200000000", "--shard-events", "100000",
                         "--out", out]) {
            // Shards are being written: the first complete one is there.
            ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).contains { $0.hasPrefix("shard-") }
        }
    }

    /// Starts `mpirun -np 2 latentsim ARGS`, waits until `started` holds, SIGKILLs rank 1 and
    /// checks that mpirun exits non-zero within `bound` seconds.
    func killOneRank(_ arguments: [String], started: () -> Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mpirun")
        process.arguments = ["-q", "-np", "2", "--oversubscribe", CLI.binary] + arguments
        process.environment = CLI.environment
        process.currentDirectoryURL = URL(fileURLWithPath: CLI.scratch)
        let log = CLI.path("kill-\(UUID().uuidString).log")
        XCTAssertTrue(FileManager.default.createFile(atPath: log, contents: nil), log)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        let text = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        let deadline = Date().addingTimeInterval(180)
        while !started() && process.isRunning && Date() < deadline { usleep(100_000) }
        guard process.isRunning, started() else {
            return XCTFail("the job did not get going (or ended) before the kill:\n\(text())", file: file, line: line)
        }
        let victim = try XCTUnwrap(rankProcess(1, under: process.processIdentifier), "rank 1's process under mpirun", file: file, line: line)
        let survivor = try XCTUnwrap(rankProcess(0, under: process.processIdentifier), "rank 0's process under mpirun", file: file, line: line)
        let killed = Date()
        XCTAssertEqual(kill(victim, SIGKILL), 0, file: file, line: line)
        while process.isRunning && Date().timeIntervalSince(killed) < KillRankTests.bound + 30 { usleep(20_000) }
        let seconds = Date().timeIntervalSince(killed)
        XCTAssertFalse(process.isRunning, "mpirun still running \(Int(seconds)) s after rank 1 was killed", file: file, line: line)
        process.waitUntilExit()
        print("\(name): mpirun exited \(process.terminationStatus) \(String(format: "%.2f", seconds)) s after SIGKILL of rank 1")
        XCTAssertLessThan(seconds, KillRankTests.bound, text(), file: file, line: line)
        XCTAssertNotEqual(process.terminationStatus, 0, text(), file: file, line: line)
        // mpirun's kill of the surviving rank may land a moment after mpirun itself exits.
        let gone = Date().addingTimeInterval(5)
        while isRunning(survivor) && Date() < gone { usleep(50_000) }
        XCTAssertFalse(isRunning(survivor), "rank 0 (pid \(survivor)) still running 5 s after mpirun exited", file: file, line: line)
    }

    /// Whether `pid` exists and is not a zombie.
    func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return false
        }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    /// The pid of the child of `parent` (mpirun forks the local ranks itself) whose environment
    /// says OMPI_COMM_WORLD_RANK=rank.
    func rankProcess(_ rank: Int, under parent: pid_t) -> pid_t? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // Fields after "(comm)": state, ppid, ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, pid_t(fields[1]) == parent,
                  let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
        }
        return nil
    }
}
