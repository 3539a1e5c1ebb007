import EventStore
import XCTest
@testable import Support
@testable import Training

/// The `on_shell` option of reduce and a full-space ensemble (with pair_mass): which step it
/// builds, how it finds the muon columns of a table with its own names ([roles]), the job
/// options, and every misuse refused with one line.
final class OnShellOptionTests: XCTestCase {
    static let features = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_pz", "nvtx", "jet1_pt"]

    func testStepRolesAndJobOptions() throws {
        var r = Representation(quantile: ["jet1_pt"], pairMass: ["mu1", "mu2"])
        r.onShell = true
        let steps = try r.steps(features: Self.features, integers: [], dropped: "mu2_py")
        XCTAssertEqual(steps.map(\.kind), [.pairShell, .quantile, .standardize])
        XCTAssertEqual(steps[0].columns, ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "0", "mu2_pz"])
        XCTAssertEqual(steps[0].mass, 0.1056583755, "the muon's mass by default")
        r.onShell = false
        XCTAssertEqual(try r.steps(features: Self.features, integers: [], dropped: "mu2_py").map(\.kind), [.pairMass, .quantile, .standardize],
                       "pair_mass alone is unchanged")

        let own = ["El", "pxl", "pyl", "pzl", "Es", "pxs", "pys", "pzs"]
        let roles = try ColumnRoles(Dictionary(uniqueKeysWithValues: zip(PreprocessingStep.pairMassComponents("mu1", "mu2"), own)),
                                    source: "[roles]")
        var mapped = Representation(pairMass: ["mu1", "mu2"])
        mapped.onShell = true
        mapped.shellMass = 0.000511
        let step = try XCTUnwrap(mapped.steps(features: own.filter { $0 != "pys" }, integers: [], dropped: "pys", roles: roles).first)
        XCTAssertEqual(step.columns, ["El", "pxl", "pyl", "pzl", "Es", "pxs", "0", "pzs"], "roles name the table's columns")
        XCTAssertEqual(step.mass, 0.000511)

        for section in ["ensemble", "reduce"] {
            let schema = section == "ensemble" ? GANSettings.schema : ReduceSettings.schema
            let text = "[\(section)]\npair_mass = [\"mu1\", \"mu2\"]\non_shell = true\nshell_mass = 0.000511\n"
            var job = try JobConfig(document: TOMLDocument(parsing: text, file: "job.toml"), section: section, schema: schema)
            let read = try Representation(job: &job)
            XCTAssertEqual([read.onShell ? 1 : 0, read.shellMass], [1, 0.000511], section)
            var plain = try JobConfig(document: TOMLDocument(parsing: "[\(section)]\n", file: "job.toml"), section: section, schema: schema)
            let defaults = try Representation(job: &plain)
            XCTAssertEqual([defaults.onShell ? 1 : 0, defaults.shellMass], [0, 0.1056583755], section)
        }
    }

    func testMisuseIsRefusedWithOneLine() throws {
        func refusal(pairMass: [String] = ["mu1", "mu2"], pairPt: Bool = false, mass: Double = 0.1056583755) -> String? {
            var r = Representation(pairMass: pairMass)
            r.onShell = true
            r.pairPt = pairPt
            r.shellMass = mass
            do {
                _ = try r.steps(features: Self.features, integers: [], dropped: "mu2_py")
                return nil
            } catch let error as InputError {
                XCTAssertEqual(error.exitCode, ExitStatus.usage)
                return error.message
            } catch { return "\(error)" }
        }
        XCTAssertNil(refusal())
        XCTAssertEqual(refusal(pairMass: []), "on_shell = true needs pair_mass (it names the two vectors), found pair_mass = []; "
                       + "set pair_mass = [\"mu1\", \"mu2\"] or on_shell = false")
        XCTAssertEqual(refusal(pairPt: true), "on_shell = true makes the pair's px, py coordinates already (what pair_pt does), "
                       + "found pair_pt = true as well; set pair_pt = false")
        XCTAssertEqual(refusal(mass: -0.1), "shell_mass expects the vectors' mass, finite and ≥ 0, found -0.1; set it in the table's "
                       + "units (0.1056583755 for muons in GeV)")
        XCTAssertEqual(refusal(mass: .nan)?.hasPrefix("shell_mass expects the vectors' mass, finite and ≥ 0, found nan;"), true)
        XCTAssertEqual(refusal(pairMass: ["mu2", "mu1"]), "on_shell keeps the pair's momentum in pair_mass's first vector's momentum "
                       + "columns, found mu2_py dropped by the rotation (the frame's reference vector); list the reference second in "
                       + "pair_mass (e.g. [\"mu1\", \"mu2\"]) or set rotate = false")

        var o = ConfigOverrides()
        o.set("data", "unused.h5"); o.set("reducer", "unused"); o.set("space", "latent"); o.set("out", "unused"); o.set("on_shell", true)
        XCTAssertThrowsError(try GANSettings.resolve(config: nil, overrides: o).validate()) { error in
            XCTAssertEqual((error as? InputError)?.message, "on_shell applies to space = full; in latent space the reducer's "
                           + "preprocessing is used, so set on_shell in the reduce job (or choose space = full)")
        }
    }
}
