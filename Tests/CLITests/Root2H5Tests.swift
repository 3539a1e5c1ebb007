import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

/// tools/root2h5 on a ROOT file this test writes with uproot: scalar and jagged branches become our
/// 2-D `events` table (jagged → leading N in file order, zero-padded), which `latentsim inspect`
/// reads and which holds exactly the values written; bad input is one line, a non-zero exit and no output.
final class Root2H5Tests: XCTestCase {
    static let tool = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tools/root2h5").path
    static let entries = 40

    /// Entry i: MET_pt = 0.25·i + 3.5 (float32), nvtx = i % 7 + 1 (int32), and i % 5 jets with pTs
    /// [100 + i, 40.5, 60.25, 20] in that (unsorted) file order; tree Meta holds one other branch.
    static let writer = """
        import sys, numpy as np, awkward as ak, uproot
        n = int(sys.argv[2])
        with uproot.recreate(sys.argv[1]) as f:
            t = f.mktree("Events", {"MET_pt": "float32", "nvtx": "int32", "Jet_pt": "var * float64"})
            t.extend({"MET_pt": np.array([0.25 * i + 3.5 for i in range(n)], dtype=np.float32),
                      "nvtx": np.array([i % 7 + 1 for i in range(n)], dtype=np.int32),
                      "Jet_pt": ak.Array([[100.0 + i, 40.5, 60.25, 20.0][: i % 5] for i in range(n)])})
            f.mktree("Meta", {"version": "int32"}).extend({"version": np.array([1], dtype=np.int32)})
        """

    static var rootFile: String = {
        let path = CLI.path("events.root")
        do {
            let r = try CLI.program("python3", ["-c", writer, path, String(entries)])
            guard r.status == 0 else {
                fatalError("writing the ROOT fixture failed (uproot, awkward and numpy come from scripts/setup.sh): \(r.stderr)")
            }
        } catch { fatalError("cannot run python3: \(error)") }
        return path
    }()

    func root2h5(_ arguments: [String]) throws -> CLI.Outcome { try CLI.program("python3", [Root2H5Tests.tool] + arguments) }

    func testBranchesBecomeTheTableInspectReadsValueByValue() throws {
        let out = CLI.path("from-root.h5")
        let r = try root2h5([Root2H5Tests.rootFile, "--tree", "Events", "--branches", "Jet_pt:3,MET_pt,nvtx", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "root2h5: 40 entries x 5 columns (jet1_pt, jet2_pt, jet3_pt, MET_pt, nvtx) of tree 'Events' -> \(out)\n")
        let inspect = try CLI.run(["inspect", out])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdout.contains("layout    HDF5 2-D dataset 'events' (float32) with a 'columns' attribute"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("rows      40\ncolumns   5"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("attrs     producer=root2h5 source=\(Root2H5Tests.rootFile) tree=Events"), inspect.stdout)
        let table = try EventReader.read(path: out, comm: try Communicator.selfOnly()).table
        XCTAssertEqual(table.columns, ["jet1_pt", "jet2_pt", "jet3_pt", "MET_pt", "nvtx"])
        XCTAssertEqual(table.rows, Root2H5Tests.entries)
        for i in 0..<table.rows {
            let jets = Array([Float(100 + i), 40.5, 60.25, 20][..<(i % 5)].prefix(3))
            let expected = jets + [Float](repeating: 0, count: 3 - jets.count) + [0.25 * Float(i) + 3.5, Float(i % 7 + 1)]
            XCTAssertEqual((0..<5).map { table[i, $0] }, expected, "entry \(i)")
        }
    }

    /// Each mistake: its exit code, one stderr line naming what was found and the fix, nothing written.
    func testBadInputIsOneLineAndLeavesNoOutput() throws {
        let dir = CLI.path("root-bad")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = Root2H5Tests.rootFile, missing = CLI.path("absent.root"), out = dir + "/out.h5"
        let cases: [([String], Int32, String)] = [
            ([missing, "--tree", "Events", "--branches", "MET_pt"], 66, "input '\(missing)' does not exist; pass a ROOT file"),
            ([file, "--branches", "MET_pt"], 64, "'\(file)' has 2 trees (Events, Meta); choose one with --tree"),
            ([file, "--tree", "Evnts", "--branches", "MET_pt"], 65,
             "'\(file)' has no tree 'Evnts'; its trees: Events, Meta; pass one of them with --tree"),
            ([file, "--tree", "Events", "--branches", "MET_pt,Jet_pT:3"], 65,
             "tree 'Events' in '\(file)' has no branch 'Jet_pT'; nearest: 'Jet_pt'; fix the name in --branches"),
            ([file, "--tree", "Events", "--branches", "Jet_pt"], 64,
             "branch 'Jet_pt' of tree 'Events' holds several values per entry (double[]); ask for fixed columns with "
                + "Jet_pt:N, e.g. Jet_pt:5"),
            ([file, "--tree", "Events", "--branches", "MET_pt:2"], 64, "branch 'MET_pt' of tree 'Events' holds one value per entry; drop ':2'"),
            ([file, "--tree", "Events", "--branches", "Jet_pt:2:jet{i}_pt,MET_pt:1:jet{i}_pt"], 64,
             "--branches gives the column 'jet1_pt' twice; name each column once (BRANCH:N:PATTERN renames a jagged branch's columns)"),
        ]
        for (arguments, code, message) in cases {
            let r = try root2h5(arguments + ["--out", out])
            XCTAssertEqual(r.status, code, arguments.joined(separator: " "))
            XCTAssertEqual(r.errorLines, ["root2h5: error: " + message])
            XCTAssertEqual(r.stdout, "")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "nothing written: " + message)
        }
    }
}
