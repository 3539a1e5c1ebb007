import EventStore
import XCTest
@testable import Support
@testable import Training

/// The `on_shell` option of reduce and a full-space ensemble: the projection's components follow the
/// pair mass step's (a table's own names through [roles], the rotation's dropped column as "0"),
/// and the job option reaches the representation in both schemas (refusals: CLITests.OnShellTests).
final class OnShellOptionTests: XCTestCase {
    func testComponentsFollowThePairMassStepAndItsRoles() throws {
        var r = Representation(pairMass: ["mu1", "mu2"])
        r.onShell = ["mu1", "mu2"]
        let features = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_pz"]
        XCTAssertEqual(try r.shellProjection(features: features, dropped: "mu2_py")?.components,
                       ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "0", "mu2_pz"])
        XCTAssertNil(try Representation(pairMass: ["mu1", "mu2"]).shellProjection(features: features, dropped: "mu2_py"), "off by default")
        let own = ["E1", "px1", "py1", "pz1", "E2", "px2", "pz2"]
        let roles = try ColumnRoles(["mu1_E": "E1", "mu1_px": "px1", "mu1_py": "py1", "mu1_pz": "pz1", "mu2_E": "E2", "mu2_px": "px2",
                                     "mu2_py": "py2", "mu2_pz": "pz2"], source: "[roles]")
        XCTAssertEqual(try r.shellProjection(features: own, dropped: "py2", roles: roles)?.components,
                       ["E1", "px1", "py1", "pz1", "E2", "px2", "0", "pz2"])
        var job = try JobConfig(document: TOMLDocument(parsing: "[reduce]\npair_mass = [\"mu1\", \"mu2\"]\non_shell = [\"mu1\", \"mu2\"]\n",
                                                       file: "job.toml"), section: "reduce", schema: ReduceSettings.schema)
        XCTAssertEqual(try Representation(job: &job).onShell, ["mu1", "mu2"])
        var full = try JobConfig(document: TOMLDocument(parsing: "[ensemble]\non_shell = [\"mu1\", \"mu2\"]\n", file: "job.toml"),
                                 section: "ensemble", schema: GANSettings.schema)
        XCTAssertEqual(try Representation(job: &full).onShell, ["mu1", "mu2"])
    }
}
