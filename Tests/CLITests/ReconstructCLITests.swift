import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

/// `latentsim reconstruct` as the built binary: a table's round trip through a reducer is an event
/// table in the reducer's columns, the same on 1 and 2 ranks, that `evaluate --generated` reads;
/// bad input is refused in one line and leaves no output.
final class ReconstructCLITests: XCTestCase {
    static var reducer: String = {
        let out = CLI.path("recon-pca")
        CLI.fixture(["reduce", "--method", "pca", "--data", ReduceTests.data, "--columns", ReduceTests.columns, "--latent", "3",
                     "--out", out])
        return out
    }()

    func reconstruct(_ reducer: String, _ real: String, _ out: String, ranks: Int = 0) throws -> CLI.Outcome {
        try CLI.run(["reconstruct", "--reducer", reducer, "--real", real, "--out", out], ranks: ranks)
    }

    func testRoundTripIsAnEventTableEvaluateReadsAndBadInputIsOneLine() throws {
        let reducer = ReconstructCLITests.reducer
        var bits: [[UInt32]] = []
        for ranks in [0, 2] {
            let out = CLI.path("recon-np\(ranks).h5")
            let r = try reconstruct(reducer, ReduceTests.data, out, ranks: ranks)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("reconstructed 4000 events of \(ReduceTests.data) through \(reducer)/model.h5 (pca 7 → 3)"),
                          r.stdout)
            let table = try EventReader.read(path: out, comm: try Communicator.world()).table
            XCTAssertEqual(table.columns, ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz"])
            XCTAssertEqual(table.rows, 4000)
            XCTAssertTrue(table.values.allSatisfy(\.isFinite))
            bits.append(table.values.map(\.bitPattern))
        }
        XCTAssertEqual(bits[0], bits[1], "the same events on 1 and 2 ranks")
        let e = try CLI.run(["evaluate", "--real", ReduceTests.data, "--generated", CLI.path("recon-np2.h5"), "--classifier-rows", "0"])
        XCTAssertEqual(e.status, 0, e.stderr)
        XCTAssertTrue(e.stdout.contains("mll"), e.stdout)

        let out = CLI.path("recon-bad.h5")
        let missing = CLI.path("recon-no-reducer")
        let r1 = try reconstruct(missing, ReduceTests.data, out, ranks: 2)
        XCTAssertEqual(r1.status, 66, r1.stderr)
        XCTAssertEqual(r1.errorLines, ["error: reducer model '\(missing)' does not exist; give the run directory of `latentsim reduce` "
                                       + "(it holds model.h5) or train one first"])
        let narrow = CLI.fixture(text: "mu1_E,mu1_px\n50,10\n60,-20\n", to: CLI.path("recon-narrow.csv"))
        let r2 = try reconstruct(reducer, narrow, out, ranks: 2)
        XCTAssertEqual(r2.status, 65, r2.stderr)
        XCTAssertEqual(r2.errorLines, ["error: reducer '\(reducer)/model.h5' was trained on columns mu1_E,mu1_px,mu1_py,mu1_pz,mu2_E,"
                                       + "mu2_px,mu2_py,mu2_pz but '\(narrow)' lacks mu1_py, mu1_pz, mu2_E, mu2_px, mu2_py, mu2_pz; give a "
                                       + "table with the reducer's columns"])
        let r3 = try reconstruct(reducer, ReduceTests.data, ReduceTests.data)
        XCTAssertEqual(r3.status, 64, r3.stderr)
        XCTAssertEqual(r3.errorLines, ["error: --out '\(ReduceTests.data)' is the table --real reads; write the reconstruction to "
                                       + "another file"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written")
        XCTAssertEqual(try EventReader.read(path: ReduceTests.data, comm: try Communicator.world()).table.rows, 4000)
    }
}
