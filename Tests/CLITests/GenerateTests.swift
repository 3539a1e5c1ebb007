import EventStore
import Foundation
import XCTest
@testable import Support

/// `latentsim generate` as the built binary: rank-count independence, the virtual master read
/// back through EventReader and h5py from other directories, resume, the single layout, and the
/// physics of what comes out (integer columns, restored mu2_py, uniform azimuth).
final class GenerateTests: XCTestCase {
    func testRankCountsOneTwoThreeGiveIdenticalTablesAndFiles() throws {
        for ranks in [1, 2, 3] {
            let r = try GenerateFixtures.generate("np\(ranks)", ranks: ranks)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let reference = try GenerateFixtures.read(CLI.path("np1") + "/events.h5")
        XCTAssertEqual(reference.rows, 10_000)
        XCTAssertEqual(try GenerateFixtures.shardFiles("np1"), (0..<4).map { String(format: "shard-%05d.h5", $0) })
        for ranks in [2, 3] {
            XCTAssertEqual(try GenerateFixtures.read(CLI.path("np\(ranks)") + "/events.h5"), reference, "np \(ranks)")
            for file in try GenerateFixtures.shardFiles("np1") {
                // Shards record no timestamps: the same rows give the same bytes, hence the same manifest checksums.
                XCTAssertEqual(FileManager.default.contents(atPath: CLI.path("np\(ranks)/\(file)")),
                               FileManager.default.contents(atPath: CLI.path("np1/\(file)")), "np \(ranks) \(file)")
            }
        }
        let other = try GenerateFixtures.generate("np1-seed2", ranks: 1, ["--seed", "2"])
        XCTAssertEqual(other.status, 0, other.stderr)
        XCTAssertNotEqual(try GenerateFixtures.read(CLI.path("np1-seed2") + "/events.h5").values, reference.values)
    }

    func testMasterReadsBackAsTheConcatenatedShardsFromAnyDirectory() throws {
        XCTAssertEqual(try GenerateFixtures.generate("master").status, 0)
        let shards = try GenerateFixtures.concatenated("master")
        XCTAssertEqual(try GenerateFixtures.read(CLI.path("master") + "/events.h5"), shards)
        let twoRanks = try CLI.run(["inspect", CLI.path("master") + "/events.h5"], ranks: 2)
        XCTAssertEqual(twoRanks.status, 0, twoRanks.stderr)
        XCTAssertTrue(twoRanks.stdout.contains("rows      10000"), twoRanks.stdout)
        // Moved as a whole, the master still finds its shards (relative source names).
        let moved = CLI.path("moved-master")
        try? FileManager.default.removeItem(atPath: moved)
        try FileManager.default.copyItem(atPath: CLI.path("master"), toPath: moved)
        XCTAssertEqual(try GenerateFixtures.read(moved + "/events.h5"), shards)
        guard GenerateFixtures.hasH5py else { throw XCTSkip("python3 with h5py not available") }
        let sum = shards.values.reduce(0.0) { $0 + Double($1) }
        let script = { (path: String) in
            "import h5py, numpy as np; f = h5py.File('\(path)'); d = f['events']; "
                + "print(d.shape[0], d.shape[1], ','.join(d.attrs['columns']), repr(float(d[:].astype(np.float64).sum())), "
                + "int(np.isnan(d[:]).sum()))"
        }
        let expected = "10000 \(shards.width) \(shards.columns.joined(separator: ",")) "
        for (directory, path) in [("/", moved + "/events.h5"), (CLI.scratch, "moved-master/events.h5"),
                                  (moved, "events.h5"), (NSTemporaryDirectory(), moved + "/events.h5")] {
            let line = try GenerateFixtures.python(script(path), in: directory)
            XCTAssertTrue(line.hasPrefix(expected), "h5py in '\(directory)': \(line)")
            XCTAssertTrue(line.hasSuffix(" 0"), "no NaN fill: every row mapped (\(line))")
            let total = Double(line.split(separator: " ")[3]) ?? .nan
            XCTAssertEqual(total, sum, accuracy: 1e-6 * max(1, abs(sum)), "h5py in '\(directory)'")
        }
        let equal = try GenerateFixtures.python("import h5py, numpy as np; m = h5py.File('events.h5')['events'][:]; "
            + "s = np.concatenate([h5py.File('shard-%05d.h5' % i)['events'][:] for i in range(4)]); print(np.array_equal(m, s))",
            in: moved)
        XCTAssertEqual(equal, "True")
    }

    func testResumeRegeneratesOnlyTheMissingOrDamagedShard() throws {
        XCTAssertEqual(try GenerateFixtures.generate("resume").status, 0)
        let before = try GenerateFixtures.read(CLI.path("resume") + "/events.h5")
        let manifest = try GenerateFixtures.manifest("resume")
        func mtime(_ file: String) throws -> Date {
            try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: CLI.path("resume/\(file)"))[.modificationDate] as? Date)
        }
        let kept = ["shard-00000.h5", "shard-00002.h5", "shard-00003.h5"]
        let times = try kept.map(mtime)
        try FileManager.default.removeItem(atPath: CLI.path("resume/shard-00001.h5"))
        usleep(20_000)
        let again = try GenerateFixtures.generate("resume", ranks: 2)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("generated 3000 of 10000 events"), again.stdout)
        XCTAssertTrue(again.stdout.contains("1 of 4 shard(s), kept 3 intact"), again.stdout)
        XCTAssertEqual(try kept.map(mtime), times, "intact shards are not rewritten")
        XCTAssertEqual(try GenerateFixtures.read(CLI.path("resume") + "/events.h5"), before)
        var shardsNow = try GenerateFixtures.manifest("resume")["shards"] as? [[String: Any]]
        let shardsBefore = manifest["shards"] as? [[String: Any]]
        XCTAssertEqual(shardsNow?.map { $0["sha256"] as? String }, shardsBefore?.map { $0["sha256"] as? String })
        // A damaged shard is found by its checksum and regenerated.
        try GenerateFixtures.flipByte(CLI.path("resume/shard-00002.h5"))
        let repaired = try GenerateFixtures.generate("resume")
        XCTAssertTrue(repaired.stdout.contains("1 of 4 shard(s), kept 3 intact"), repaired.stdout)
        shardsNow = try GenerateFixtures.manifest("resume")["shards"] as? [[String: Any]]
        XCTAssertEqual(shardsNow?.map { $0["sha256"] as? String }, shardsBefore?.map { $0["sha256"] as? String })
        XCTAssertEqual(try CLI.run(["verify", CLI.path("resume")]).status, 0)
    }

    func testSingleLayoutWritesTheSameTableCollectively() throws {
        XCTAssertEqual(try GenerateFixtures.generate("layout-shards").status, 0)
        let shards = try GenerateFixtures.read(CLI.path("layout-shards") + "/events.h5")
        for ranks in [1, 3] {
            let r = try GenerateFixtures.generate("layout-single\(ranks)", ranks: ranks, ["--layout", "single"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(try GenerateFixtures.shardFiles("layout-single\(ranks)"), [])
            XCTAssertEqual(try GenerateFixtures.read(CLI.path("layout-single\(ranks)") + "/events.h5"), shards, "np \(ranks)")
            let verify = try CLI.run(["verify", CLI.path("layout-single\(ranks)")])
            XCTAssertEqual(verify.status, 0, verify.stderr)
        }
    }

    func testIntegersAreIntegersMu2PyIsRestoredAndTheAzimuthIsUniform() throws {
        for (name, model) in [("phys-latent", GenerateFixtures.latent), ("phys-full", GenerateFixtures.full)] {
            let r = try GenerateFixtures.generate(name, model: model, ranks: 2)
            XCTAssertEqual(r.status, 0, r.stderr)
            let table = try GenerateFixtures.read(CLI.path(name) + "/events.h5")
            XCTAssertEqual(table.columns, EnsembleTests.columns.split(separator: ",").map(String.init))
            let nvtx = table.column(try XCTUnwrap(table.columnIndex("nvtx")))
            XCTAssertTrue(nvtx.allSatisfy { $0 == $0.rounded() }, "\(name): nvtx integer")
            let px = table.column(try XCTUnwrap(table.columnIndex("mu2_px")))
            let py = table.column(try XCTUnwrap(table.columnIndex("mu2_py")))
            XCTAssertGreaterThan(py.filter { $0 != 0 }.count, table.rows * 9 / 10, "\(name): mu2_py restored")
            // mu2's azimuth: 8 equal bins of 1250 ± 33 (1σ) events each; ±200 fails a frame left unrotated.
            var bins = [Int](repeating: 0, count: 8)
            for (x, y) in zip(px, py) { bins[min(7, Int((atan2(y, x) + .pi) / (2 * .pi) * 8))] += 1 }
            for count in bins { XCTAssertEqual(Double(count), 1250, accuracy: 200, "\(name): azimuth bins \(bins)") }
        }
        let np1 = try GenerateFixtures.generate("phys-full-np1", model: GenerateFixtures.full)
        XCTAssertEqual(np1.status, 0, np1.stderr)
        XCTAssertEqual(try GenerateFixtures.read(CLI.path("phys-full-np1") + "/events.h5"),
                       try GenerateFixtures.read(CLI.path("phys-full") + "/events.h5"), "full space: np 1 = np 2")
    }
}
