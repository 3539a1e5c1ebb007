import Comm
import EventStore
import Foundation
import XCTest
@testable import Support
@testable import Training

/// Kept features (`keep`) through the built binary: reduce → ensemble → generate with a kept pair
/// mass, and the one-line refusals of bad keep lists.
final class KeptFeaturesCLITests: XCTestCase {
    /// The whole chain as the built binary: reduce with pair_mass and the pair mass kept (mu1_E holds
    /// it), a latent-space ensemble on those codes, generation from its best snapshot.
    func testReduceEnsembleAndGenerateWithAKeptPairMass() throws {
        let out = CLI.path("keep-ae")
        let r = try CLI.run(["reduce", "--data", EnsembleTests.data, "--columns", EnsembleTests.columns, "--latent", "6",
                             "--keep", "mu1_E", "--pair-mass", "mu1,mu2", "--widths", "24,12", "--batch", "128",
                             "--steps", "40", "--out", out], ranks: 2)
        XCTAssertEqual(r.status, 0, r.stderr)
        let latent = try EventReader.read(path: out + "/latent.h5", comm: try Communicator.world()).table
        XCTAssertEqual(latent.columns, ["z0", "z1", "z2", "z3", "z4", "mu1_E"])
        let reducer = try Reducer.load(path: out + "/model.h5")
        XCTAssertEqual(reducer.keep, ["mu1_E"])
        XCTAssertEqual(reducer.kept, KeptFeatures(codes: 5, indices: [0]))
        XCTAssertEqual(reducer.spec?.latent, 6)
        XCTAssertEqual(reducer.spec?.keep, [0])
        let run = CLI.path("keep-ens")
        let job = CLI.path("keep-job.toml")
        try (try String(contentsOfFile: EnsembleTests.job, encoding: .utf8) + "\nregression = []\n")
            .write(toFile: job, atomically: true, encoding: .utf8)
        let e = try CLI.run(["ensemble", "--config", job, "--data", EnsembleTests.data, "--reducer", out,
                             "--restarts", "2", "--out", run], ranks: 2)
        XCTAssertEqual(e.status, 0, e.stderr)
        let g = try CLI.run(["generate", "--model", run + "/best", "--events=3000", "--out", CLI.path("keep-gen")])
        XCTAssertEqual(g.status, 0, g.stderr)
        let table = try EventReader.read(path: CLI.path("keep-gen") + "/events.h5", comm: try Communicator.world()).table
        XCTAssertEqual(table.rows, 3000)
        XCTAssertTrue(table.values.allSatisfy(\.isFinite))
    }

    func expectFailure(_ extra: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try CLI.run(["reduce", "--data", ReduceTests.data, "--columns", ReduceTests.columns, "--out", CLI.path("keep-bad")]
                            + extra, ranks: 2)
        XCTAssertEqual(r.status, 64, r.stderr, file: file, line: line)
        XCTAssertEqual(r.errorLines, ["error: " + message], file: file, line: line)
    }

    func testBadKeepLists() throws {
        try expectFailure(["--latent", "2", "--keep", "mu1_E,mu2_E"],
                          "latent = 2 counts the 2 kept feature(s) (mu1_E,mu2_E) and must exceed that number to leave learned "
                          + "codes; raise latent or keep fewer features")
        try expectFailure(["--latent", "3", "--keep", "mu1_E,mu1_E"], "keep lists 'mu1_E' twice; list each feature once")
        try expectFailure(["--latent", "3", "--keep", "mu2_py"],
                          "keep feature 'mu2_py' is not among the features mu1_E,mu1_px,mu1_py,mu1_pz,mu2_E,mu2_px,mu2_pz; "
                          + "remove it from keep or add it to columns")
    }
}
