import XCTest
@testable import Support
@testable import Training

/// Which quantities a training table's columns let snapshots be scored on: the default score's
/// three fallbacks with their notes, and the refusal of an explicit score the columns cannot give.
final class ScoreChoiceTests: XCTestCase {
    static let standard = ["mll", "phi_miss", "mu1_iso"]
    static let muons = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_pz", "met_px", "met_py"]

    func choose(_ columns: [String], _ requested: [String] = standard, isDefault: Bool = true) throws -> ScoreChoice {
        // The rotation frame: the features plus the rotated-away mu2_py when the muon columns are there.
        let frame = columns.contains("mu2_px") ? columns + ["mu2_py"] : columns
        return try ScoreChoice.resolve(requested: requested, isDefault: isDefault, frameColumns: frame, features: columns,
                                       data: "t.csv")
    }

    func testAScoreTheColumnsGiveIsUsedWithoutANote() throws {
        XCTAssertEqual(try choose(ScoreChoiceTests.muons + ["mu1_iso"]), ScoreChoice(names: ScoreChoiceTests.standard))
        XCTAssertEqual(try choose(["nvtx", "met_px", "met_py"], ["met", "nvtx"], isDefault: false),
                       ScoreChoice(names: ["met", "nvtx"]))
    }

    func testTheDefaultScoreKeepsWhatTheColumnsGive() throws {
        XCTAssertEqual(try choose(ScoreChoiceTests.muons + ["nvtx"]), ScoreChoice(
            names: ["mll", "phi_miss"],
            note: "note: the default score mll,phi_miss,mu1_iso needs mu1_iso, which the training columns lack; scoring on mll,phi_miss"))
    }

    func testWithoutAnyDefaultQuantityTheDerivedOnesAreScored() throws {
        XCTAssertEqual(try choose(["mu1_px", "mu1_py", "mu2_px", "nvtx"]), ScoreChoice(
            names: ["ptll", "dphi_ll"],
            note: "note: the default score mll,phi_miss,mu1_iso needs mll,phi_miss,mu1_iso, which the training columns lack; "
                + "scoring on the derived quantities they allow: ptll,dphi_ll"))
    }

    func testWithoutDerivedQuantitiesEveryColumnIsScored() throws {
        XCTAssertEqual(try choose(["nvtx", "jet1_pt", "jet2_pt"]), ScoreChoice(
            names: ["nvtx", "jet1_pt", "jet2_pt"],
            note: "note: the default score mll,phi_miss,mu1_iso needs mll,phi_miss,mu1_iso, which the training columns lack, "
                + "and no derived quantity can be computed from them; scoring on the KS sum over every column: nvtx,jet1_pt,jet2_pt"))
    }

    func testAnExplicitScoreTheColumnsCannotGiveIsRefused() throws {
        for requested in [ScoreChoiceTests.standard, ["mll", "mass"]] {
            XCTAssertThrowsError(try choose(["mu1_px", "mu1_py", "mu2_px", "nvtx"], requested, isDefault: false)) { error in
                let e = error as? InputError
                XCTAssertEqual(e?.exitCode, ExitStatus.usage)
                let reasons = requested == ScoreChoiceTests.standard
                    ? "'mll' needs mu1_E, mu1_pz, mu2_E, mu2_pz, which the columns lack; 'phi_miss' needs met_px, met_py, which the "
                        + "columns lack; 'mu1_iso' is neither a column nor a derived quantity"
                    : "'mll' needs mu1_E, mu1_pz, mu2_E, mu2_pz, which the columns lack; 'mass' is neither a column nor a derived quantity"
                XCTAssertEqual(e?.description, "cannot score on \(requested.joined(separator: ",")) with the training columns of "
                               + "'t.csv': \(reasons); available: mu1_px, mu1_py, mu2_px, nvtx, mu2_py, ptll, dphi_ll; choose the "
                               + "score among those (--score, or score in the job file)")
            }
        }
    }
}
