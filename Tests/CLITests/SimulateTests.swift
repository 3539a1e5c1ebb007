import Comm
import EventStore
import XCTest
@testable import Support

/// `latentsim simulate` end to end: the table depends only on (process, events, seed), never on
/// the number of ranks, and bad arguments give one pinned line and exit code on every rank count.
final class SimulateTests: XCTestCase {
    func table(_ path: String) throws -> EventTable {
        try EventReader.read(path: path, comm: try Communicator.world()).table
    }

    func testTablesAreBitIdenticalForOneTwoAndThreeRanks() throws {
        var tables: [EventTable] = []
        for ranks in [1, 2, 3] {
            let out = CLI.path("dy-np\(ranks).h5")
            let r = try CLI.run(["simulate", "--process", "dy", "--events", "2001", "--seed", "11", "--out", out], ranks: ranks)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("simulated 2001 dy events (seed 11) on \(ranks) rank(s)"), r.stdout)
            tables.append(try table(out))
        }
        XCTAssertEqual(tables[0].rows, 2001)
        XCTAssertEqual(tables[0].columns.count, 18)
        for t in tables.dropFirst() {
            XCTAssertEqual(t.values.map(\.bitPattern), tables[0].values.map(\.bitPattern))
        }
        let serial = CLI.path("dy-serial.h5")
        XCTAssertEqual(try CLI.run(["simulate", "--events", "2001", "--seed", "11", "--out", serial]).status, 0)
        XCTAssertEqual(try table(serial).values.map(\.bitPattern), tables[0].values.map(\.bitPattern))
    }

    func testSeedAndProcessChangeTheTable() throws {
        let a = CLI.path("a.h5"), b = CLI.path("b.h5"), z = CLI.path("z.h5")
        XCTAssertEqual(try CLI.run(["simulate", "--events", "300", "--seed", "1", "--out", a]).status, 0)
        XCTAssertEqual(try CLI.run(["simulate", "--events", "300", "--seed", "2", "--out", b]).status, 0)
        XCTAssertEqual(try CLI.run(["simulate", "--process", "zh-inv", "--events", "300", "--seed", "1", "--out", z]).status, 0)
        XCTAssertNotEqual(try table(a).values, try table(b).values)
        XCTAssertNotEqual(try table(a).values, try table(z).values)
    }

    func testInspectShowsLayoutAndAttributesUnderTwoRanks() throws {
        let out = CLI.path("inspect.h5")
        XCTAssertEqual(try CLI.run(["simulate", "--events", "500", "--seed", "3", "--out", out]).status, 0)
        let one = try CLI.run(["inspect", out])
        let two = try CLI.run(["inspect", out], ranks: 2)
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertEqual(two.status, 0, two.stderr)
        XCTAssertEqual(one.stdout, two.stdout)
        XCTAssertTrue(one.stdout.contains("layout    HDF5 2-D dataset 'events' (float32) with a 'columns' attribute"))
        XCTAssertTrue(one.stdout.contains("rows      500"))
        XCTAssertTrue(one.stdout.contains("events=500 process=dy producer=latentsim seed=3 version=0.1.0"), one.stdout)
        let nvtx = one.stdout.split(separator: "\n").first { $0.hasPrefix("nvtx ") }
        XCTAssertEqual(nvtx?.hasSuffix("yes"), true, one.stdout)
        let njets = one.stdout.split(separator: "\n").first { $0.hasPrefix("njets ") }
        XCTAssertEqual(njets?.hasSuffix("yes"), true, one.stdout)
        let mll = one.stdout.split(separator: "\n").first { $0.hasPrefix("mll ") }?.split(separator: " ")
        XCTAssertEqual(mll?.count, 8, one.stdout)
        if let mll, mll.count == 8, let lo = Double(mll[1]), let mean = Double(mll[2]), let hi = Double(mll[4]) {
            XCTAssertGreaterThan(lo, 55)
            XCTAssertLessThan(hi, 125)
            XCTAssertEqual(mean, 90, accuracy: 3)
        }
    }

    /// An analyst opens the file with h5py: the columns attribute is a list of str, the data float32.
    func testH5pyReadsTheTable() throws {
        let out = CLI.path("h5py.h5")
        XCTAssertEqual(try CLI.run(["simulate", "--events", "1234", "--seed", "4", "--out", out], ranks: 2).status, 0)
        let script = """
            import sys, h5py
            f = h5py.File(sys.argv[1], "r"); d = f["events"]
            print(d.shape, d.dtype, ",".join(d.attrs["columns"]), f.attrs["process"], int(f.attrs["seed"]), d[17, 8])
            """
        func python(_ arguments: [String]) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3"] + arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        guard try python(["-c", "import h5py"]).0 == 0 else { throw XCTSkip("python3 with h5py is not available") }
        let (status, text) = try python(["-c", script, out])
        XCTAssertEqual(status, 0, text)
        let nvtx = try table(out)[17, 8]
        XCTAssertEqual(text, "(1234, 18) float32 mu1_E,mu1_px,mu1_py,mu1_pz,mu2_E,mu2_px,mu2_py,mu2_pz,nvtx,met_px,met_py,"
                       + "mu1_iso,mu2_iso,jet1_pt,jet2_pt,jet3_pt,jet4_pt,jet5_pt dy 4 \(nvtx)\n")
    }

    func expectFailure(_ arguments: [String], ranks: Int, message: String, status: Int32,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try CLI.run(arguments, ranks: ranks, file: file, line: line)
        XCTAssertEqual(r.status, status, r.stderr, file: file, line: line)
        XCTAssertEqual(r.errorLines, ["error: " + message], file: file, line: line)
    }

    func testBadArgumentsOnOneAndTwoRanks() throws {
        for ranks in [0, 2] {
            try expectFailure(["simulate", "--process", "ttbar", "--events", "10", "--out", CLI.path("x.h5")], ranks: ranks,
                              message: "unknown process 'ttbar'; expected one of: dy, zh-inv", status: 64)
            try expectFailure(["simulate", "--events", "0", "--out", CLI.path("x.h5")], ranks: ranks,
                              message: "--events must be a positive number of events, found 0", status: 64)
            try expectFailure(["simulate", "--events=-5", "--out", CLI.path("x.h5")], ranks: ranks,
                              message: "--events must be a positive number of events, found -5", status: 64)
            try expectFailure(["simulate", "--events", "10", "--out", "/proc/latentsim/x.h5"], ranks: ranks,
                              message: "cannot write '/proc/latentsim/x.h5': cannot create directory '/proc/latentsim' "
                                + "(No such file or directory); choose another output path", status: 73)
            try expectFailure(["simulate", "--events", "10", "--out", "/proc/x.h5"], ranks: ranks,
                              message: "cannot write '/proc/x.h5': directory '/proc' is not writable (No such file or directory); "
                                + "choose another output path", status: 73)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("x.h5")))
    }

    func testInspectBadInputOnThreeRanksDoesNotHang() throws {
        let missing = CLI.path("missing.h5")
        try expectFailure(["inspect", missing], ranks: 3, message: "input file '\(missing)' does not exist; check the path",
                          status: 66)
        let text = CLI.path("ragged.csv")
        try "a,b\n1,2\n3,4\n5,6\n7\n8,9\n".write(toFile: text, atomically: true, encoding: .utf8)
        try expectFailure(["inspect", text], ranks: 3,
                          message: "'\(text)' line 5 (row 3): expected 2 cells as in the header, found 1; fix the row or remove it",
                          status: 65)
    }
}
