import Foundation
import XCTest
@testable import Support

/// A full disk in every stage that writes: one line naming the file, the refused call and the
/// system's reason, exit 73, no crash (HDF5 1.10.8 used to SIGSEGV in MPI_Finalize), no partial
/// file under a final name, and a rerun with space continuing. Each stage runs with
/// LATENTSIM_TEST_DISK_FULL_AFTER (past a byte budget the file being written is pointed at
/// /dev/full: the kernel's own ENOSPC, the same code paths, works in any container) and, where a
/// small tmpfs can be mounted (root with CAP_SYS_ADMIN), on a real full filesystem too.
final class DiskFullTests: XCTestCase {
    static let full = "No space left on device"
    static let fix = "; free space on its filesystem (or choose another output path) and rerun the same command to continue"

    static func budget(_ bytes: Int) -> [String: String] { ["LATENTSIM_TEST_DISK_FULL_AFTER": String(bytes)] }

    /// Open MPI's OMPIO prints this itself for each refused collective (MPI-IO) write, before our line.
    static let ompio = "mca_fbtl_posix_pwritev: error in (p)write(v):No space left on device"

    /// The one line of a refused write of `file` (after OMPIO's own lines when `mpiIO`).
    func assertDiskFull(_ r: CLI.Outcome, file: String, _ parts: [String], mpiIO: Bool = false, line: UInt = #line) {
        XCTAssertEqual(r.status, 73, r.stderr, line: line)
        XCTAssertFalse(r.stderr.contains("crashed") || r.stderr.contains("Segmentation"), r.stderr, line: line)
        let ours = mpiIO ? r.errorLines.filter { $0 != DiskFullTests.ompio } : r.errorLines
        if mpiIO { XCTAssertEqual(r.errorLines.last, ours.last, "OMPIO's lines come first", line: line) }
        XCTAssertEqual(ours.count, 1, r.stderr, line: line)
        let text = ours.first ?? ""
        XCTAssertTrue(text.hasPrefix("error: cannot write '\(file)': ") || text.hasPrefix("error: cannot write '\(file)' ("),
                      text, line: line)
        XCTAssertTrue(text.hasSuffix(DiskFullTests.fix), text, line: line)
        for part in parts { XCTAssertTrue(text.contains(part), "expected “\(part)” in: \(text)", line: line) }
    }

    /// Every `.partial` temporary below `directory`.
    func partials(_ directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".partial") }
    }

    // MARK: generate

    func testGenerateOnAFullDiskKeepsFinishedShardsAndARerunContinues() throws {
        XCTAssertEqual(try GenerateFixtures.generate("df-gen-clean").status, 0)
        let clean = try GenerateFixtures.manifest("df-gen-clean")
        let sums = try XCTUnwrap(clean["shards"] as? [[String: Any]]).map { $0["sha256"] as? String }
        let width = try XCTUnwrap(clean["columns"] as? [String]).count
        // Each rank finishes its first 3000-row shard (rank 0 also wrote the pending manifest) and is
        // refused on its second: shards 0 and 1 stay, rank 0 (lowest failing) reports shard 2.
        let r = try CLI.run(["generate", "--model", GenerateFixtures.latent, "--events=10000", "--shard-events=3000",
                             "--out", CLI.path("df-gen")], ranks: 2, extraEnvironment: DiskFullTests.budget(3000 * width * 4 + 4000))
        assertDiskFull(r, file: CLI.path("df-gen/shard-00002.h5"),
                       ["HDF5 call H5Dwrite('events') failed: can't write data (file write failed: \(DiskFullTests.full))"])
        XCTAssertEqual(try GenerateFixtures.shardFiles("df-gen"), ["shard-00000.h5", "shard-00001.h5"])
        XCTAssertEqual(partials(CLI.path("df-gen")), [])
        XCTAssertEqual(try GenerateFixtures.manifest("df-gen")["complete"] as? Bool, false)
        let rerun = try GenerateFixtures.generate("df-gen", ranks: 2)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stdout.contains("into 2 of 4 shard(s), kept 2 intact"), rerun.stdout)
        XCTAssertEqual(try XCTUnwrap(try GenerateFixtures.manifest("df-gen")["shards"] as? [[String: Any]]).map { $0["sha256"] as? String },
                       sums, "the continued run's shards are the uninterrupted run's bytes")
        XCTAssertEqual(try CLI.run(["verify", CLI.path("df-gen")]).status, 0)

        try SmallDisk.run(kib: 512) { disk in
            let out = disk + "/gen"
            let r = try CLI.run(["generate", "--model", GenerateFixtures.latent, "--events=10000", "--shard-events=3000",
                                 "--out", out], ranks: 2)
            XCTAssertEqual(r.status, 73, r.stderr)
            XCTAssertEqual(r.errorLines.count, 1, r.stderr)
            // Which call meets the full disk depends on how the two ranks' writes interleave: a rank's
            // rows (H5Dwrite) or, when the other rank filled the disk first, its next shard's superblock
            // (H5Fcreate) or the reservation of that shard's metadata blocks (fallocate). One run per
            // tmpfs size from 8 to 760 KiB (polish5) met H5Dwrite at 89 sizes, H5Fcreate at 1 and the
            // reservation at 2 (448 and 472 KiB); the test listed only the first two, so a run whose
            // interleaving put the full disk at a shard boundary would fail (the likely cause of its one
            // unexplained failure at 470cae8, whose output was not kept). Either way the one line names
            // a shard of this run, exactly one of these calls, the device's reason and the fix.
            let text = r.errorLines.first ?? ""
            let shard = NSRegularExpression.escapedPattern(for: out) + "/shard-0000[0-3]\\.h5"
            XCTAssertNotNil(text.range(of: "^error: cannot write '\(shard)': ", options: .regularExpression), text)
            let calls = ["': HDF5 call H5Dwrite\\('events'\\) failed: ",
                         "': HDF5 call H5Fcreate\\('\(NSRegularExpression.escapedPattern(for: out))/\\.shard-0000[0-3]\\.h5\\.partial'\\) failed: ",
                         "': reserving [0-9]+ bytes for its metadata failed: "]
            XCTAssertEqual(calls.filter { text.range(of: $0, options: .regularExpression) != nil }.count, 1, text)
            XCTAssertTrue(text.contains(DiskFullTests.full), text)
            XCTAssertTrue(text.hasSuffix(DiskFullTests.fix), text)
            XCTAssertFalse(r.stderr.contains("crashed") || r.stderr.contains("Segmentation"), r.stderr)
            XCTAssertEqual(partials(out), [])
            // Whichever shards were finished are complete: their bytes are the uninterrupted run's.
            for name in try FileManager.default.contentsOfDirectory(atPath: out) where name.hasPrefix("shard-") {
                let index = Int(name.dropFirst(6).prefix(5))!
                XCTAssertEqual(try SHA256.hex(files: [out + "/" + name]), sums[index], name)
            }
            try SmallDisk.resize(disk, kib: 8192)
            let rerun = try CLI.run(["generate", "--model", GenerateFixtures.latent, "--events=10000", "--shard-events=3000",
                                     "--out", out], ranks: 2)
            XCTAssertEqual(rerun.status, 0, rerun.stderr)
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as? [String: Any]
            XCTAssertEqual((manifest?["shards"] as? [[String: Any]])?.map { $0["sha256"] as? String }, sums)
        }
    }

    /// `--layout single`: one file written collectively through MPI-IO; the ranks agree on the
    /// refused write and abandon the file together.
    func testGenerateSingleLayoutOnAFullDiskLeavesNoFileAndARerunCompletes() throws {
        let out = CLI.path("df-single")
        let arguments = ["generate", "--model", GenerateFixtures.latent, "--events=10000", "--layout", "single", "--out", out]
        let r = try CLI.run(arguments, ranks: 2, extraEnvironment: DiskFullTests.budget(100_000))
        assertDiskFull(r, file: out + "/events.h5", ["HDF5 call H5Dwrite('events') failed: can't write data (file write failed)"],
                       mpiIO: true)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), ["manifest.json"])
        XCTAssertEqual(try GenerateFixtures.manifest("df-single")["complete"] as? Bool, false)
        let rerun = try CLI.run(arguments, ranks: 2)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertEqual(try CLI.run(["verify", out]).status, 0)
    }

    // MARK: simulate

    func testSimulateOnAFullDiskLeavesNoTable() throws {
        for ranks in [0, 2] {
            let out = CLI.path("df-sim-\(ranks).h5")
            let r = try CLI.run(["simulate", "--events", "4000", "--out", out], ranks: ranks,
                                extraEnvironment: DiskFullTests.budget(10_000))
            // MPI-IO's message carries no system reason; the filesystem is not full here, so none is added.
            assertDiskFull(r, file: out, ["HDF5 call H5Dwrite('events') failed: can't write data (file write failed"]
                           + (ranks == 0 ? [DiskFullTests.full] : []), mpiIO: ranks > 0)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
            XCTAssertEqual(partials(CLI.scratch).filter { $0.contains("df-sim") }, [])
        }
        try SmallDisk.run(kib: 128) { disk in
            for ranks in [0, 2] {
                let r = try CLI.run(["simulate", "--events", "4000", "--out", disk + "/dy.h5"], ranks: ranks)
                assertDiskFull(r, file: disk + "/dy.h5", ["HDF5 call H5Dwrite('events') failed", DiskFullTests.full], mpiIO: ranks > 0)
                XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: disk), [])
            }
        }
    }

    // MARK: reduce

    func reduceArguments(_ out: String) -> [String] {
        ["reduce", "--data", EnsembleTests.data, "--columns", ReduceTests.columns, "--latent", "4", "--widths", "24,12",
         "--batch", "128", "--steps", "40", "--checkpoint-every", "20", "--out", out]
    }

    func testReduceCheckpointOnAFullDiskLeavesNoModelAndARerunWorks() throws {
        let out = CLI.path("df-reduce")
        let r = try CLI.run(reduceArguments(out), ranks: 2, extraEnvironment: DiskFullTests.budget(1000))
        assertDiskFull(r, file: out + "/model.h5", ["write failed: \(DiskFullTests.full)"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/model.h5"))
        XCTAssertEqual(partials(out), [])
        let rerun = try CLI.run(reduceArguments(out), ranks: 2)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/model.h5"))

        try SmallDisk.run(kib: 16) { disk in
            let r = try CLI.run(reduceArguments(disk + "/ae"), ranks: 2)
            assertDiskFull(r, file: disk + "/ae/model.h5", [DiskFullTests.full])
            XCTAssertEqual(partials(disk), [])
        }
    }

    /// history.jsonl is appended by rank 0 every step: a refused line is reported at the next
    /// agreement (here the end of the loop, no checkpoint in between), never a trap in FileHandle.
    func testReduceHistoryOnAFullDiskIsReportedOnce() throws {
        try SmallDisk.run(kib: 4, onlyPart: true) { disk in
            // 150 lines of about 100 bytes outgrow the 4 KiB disk long before the end-of-loop agreement.
            var arguments = reduceArguments(disk + "/ae")
            arguments[arguments.firstIndex(of: "--steps")! + 1] = "150"
            arguments[arguments.firstIndex(of: "--checkpoint-every")! + 1] = "150"
            let r = try CLI.run(arguments, ranks: 2)
            assertDiskFull(r, file: disk + "/ae/history.jsonl", ["(\(DiskFullTests.full))"])
            XCTAssertFalse(FileManager.default.fileExists(atPath: disk + "/ae/model.h5"))
        }
    }

    // MARK: ensemble

    func ensembleArguments(_ out: String) -> [String] {
        ["ensemble", "--config", EnsembleTests.job, "--data", EnsembleTests.data, "--reducer", EnsembleTests.reducer,
         "--restarts", "1", "--steps", "20", "--out", out]
    }

    func testEnsembleSnapshotOnAFullDiskStopsCleanlyAndARerunContinues() throws {
        let out = CLI.path("df-ens")
        // 2000 bytes: the run's config.toml (1,042 bytes since it lists the flow and MMD options) fits, the first
        // snapshot (16 KB) does not.
        let r = try CLI.run(ensembleArguments(out), ranks: 2, extraEnvironment: DiskFullTests.budget(2000))
        assertDiskFull(r, file: out + "/restarts/000/snapshot-00000010.h5", ["write failed: \(DiskFullTests.full)"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out + "/restarts/000").filter { $0.hasSuffix(".h5") }, [])
        XCTAssertEqual(partials(out), [])
        let rerun = try CLI.run(ensembleArguments(out), ranks: 2)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/best/generator.h5"))

        try SmallDisk.run(kib: 48) { disk in
            let r = try CLI.run(ensembleArguments(disk + "/ens"), ranks: 2)
            XCTAssertEqual(r.status, 73, r.stderr)
            XCTAssertEqual(r.errorLines.count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("error: cannot write '\(disk)/ens/") && r.stderr.contains(DiskFullTests.full), r.stderr)
            XCTAssertEqual(partials(disk), [])
        }
    }

    // MARK: evaluate

    func testEvaluateReportOnAFullDiskIsNotLeftHalfWritten() throws {
        let out = CLI.path("df-eval.json")
        let arguments = ["evaluate", "--real", EnsembleTests.data, "--generated", ReduceTests.data, "--classifier-rows", "0"]
        let r = try CLI.run(arguments + ["--out", out], ranks: 2, extraEnvironment: DiskFullTests.budget(100))
        assertDiskFull(r, file: out, ["(\(DiskFullTests.full))"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertEqual(partials(CLI.scratch).filter { $0.contains("df-eval") }, [])

        try SmallDisk.run(kib: 64) { disk in
            try SmallDisk.fill(disk)
            let r = try CLI.run(arguments + ["--out", disk + "/evaluation.json"], ranks: 2)
            assertDiskFull(r, file: disk + "/evaluation.json", ["(\(DiskFullTests.full))"])
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: disk), ["filler"])
        }
    }
}
