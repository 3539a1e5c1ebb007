import EventStore
import Foundation
import NN
import XCTest
import TestSupport
@testable import Support
@testable import Evaluation

/// What evaluate's classifier test sees (every quantity plus the muons' masses squared) and how it
/// splits each table's rows (train, validation for early stopping, test for the AUC).
final class ClassifierInputsTests: XCTestCase {
    static let muon = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz"]

    /// The masses follow the quantities when all four roles of a muon are played, under the roles'
    /// column names; a table's own column of that name is not added twice; off, nothing is added.
    /// E² − px² − py² − pz² by hand: 10² − 6² = 64 and 13² − 3² − 4² − 12² = 0.
    func testMuonMassesFollowTheQuantitiesAndAreComputedFromTheRoles() throws {
        let quantities = Self.muon + ["mll"]
        XCTAssertEqual(ClassifierTwoSample.inputs(quantities: quantities, columns: Self.muon, roles: ColumnRoles(), muonMasses: true),
                       quantities + ["mu1_m2", "mu2_m2"])
        XCTAssertEqual(ClassifierTwoSample.inputs(quantities: quantities, columns: Self.muon, roles: ColumnRoles(), muonMasses: false),
                       quantities)
        let partial = Self.muon.filter { $0 != "mu2_pz" }
        XCTAssertEqual(ClassifierTwoSample.inputs(quantities: partial, columns: partial, roles: ColumnRoles(), muonMasses: true),
                       partial + ["mu1_m2"])
        XCTAssertEqual(ClassifierTwoSample.inputs(quantities: ["mu1_m2"], columns: ["mu1_m2"] + Self.muon, roles: ColumnRoles(),
                                                  muonMasses: true), ["mu1_m2", "mu2_m2"])
        let own = ["e", "x", "y", "z"]
        let roles = try ColumnRoles(["mu1_E": "e", "mu1_px": "x", "mu1_py": "y", "mu1_pz": "z"], source: "test")
        XCTAssertEqual(ClassifierTwoSample.inputs(quantities: own, columns: own, roles: roles, muonMasses: true), own + ["mu1_m2"])
        let table = EventTable(columns: own, rows: 3, values: [10, 6, 0, 0, 13, 3, 4, 12, 1, 1, 1, 1])
        let f = try ClassifierTwoSample.features(table, names: ["x", "mu1_m2"], rows: 2, roles: roles)
        XCTAssertEqual(f.columns, ["x", "mu1_m2"])
        XCTAssertEqual(f.values, [6, 64, 3, 0])
    }

    /// In mu2's azimuthal frame the column playing mu2_py (0 there) is not an input, under a role map
    /// too, and off the frame or without mu2's columns nothing is dropped; an event's framed features
    /// do not depend on its azimuth (every (px, py) pair rotated alike: the same values up to float
    /// rounding), with mu2_px = |pT(mu2)|, while the raw ones do.
    func testFrameDropsMu2PyAndMakesTheFeaturesAzimuthInvariant() throws {
        let columns = Self.muon + ["met_px", "met_py"], quantities = columns + ["mll", "phi_miss"]
        XCTAssertEqual(ClassifierTwoSample.inputs(quantities: quantities, columns: columns, roles: ColumnRoles(), muonMasses: false, frame: true),
                       quantities.filter { $0 != "mu2_py" })
        XCTAssertEqual(ClassifierTwoSample.inputs(quantities: quantities, columns: columns, roles: ColumnRoles(), muonMasses: false), quantities)
        let renamed = columns.map { $0 == "mu2_py" ? "y2" : $0 }
        let roles = try ColumnRoles(["mu2_py": "y2"], source: "test")
        XCTAssertEqual(ClassifierTwoSample.inputs(quantities: renamed, columns: renamed, roles: roles, muonMasses: true, frame: true),
                       renamed.filter { $0 != "y2" } + ["mu1_m2", "mu2_m2"])
        let noMu2 = columns.filter { $0 != "mu2_px" }
        XCTAssertEqual(ClassifierTwoSample.inputs(quantities: noMu2, columns: noMu2, roles: ColumnRoles(), muonMasses: false, frame: true), noMu2)
        let table = EventTable(columns: columns, rows: 3, values: AzimuthFixture.rows)
        let names = ClassifierTwoSample.inputs(quantities: quantities, columns: columns, roles: ColumnRoles(), muonMasses: true, frame: true)
        let f = try ClassifierTwoSample.features(table, names: names, rows: 3, frame: true), k = names.count
        for r in 1..<3 {
            for j in 0..<k { XCTAssertEqual(f.values[r * k + j], f.values[j], accuracy: 1e-3 * max(1, abs(f.values[j])), "\(names[j]) row \(r)") }
        }
        XCTAssertEqual(f.values[names.firstIndex(of: "mu2_px")!], Float((25.0 * 25 + 15 * 15).squareRoot()), accuracy: 1e-4)
        let raw = try ClassifierTwoSample.features(table, names: names, rows: 3)
        XCTAssertNotEqual(raw.values[k + names.firstIndex(of: "mu1_px")!], raw.values[names.firstIndex(of: "mu1_px")!])
    }

    /// 30 % test, 15 % validation, the rest trains; each split keeps at least one row; fractions
    /// that leave nothing to train on are refused in one line.
    func testSplitSizes() throws {
        let s = ClassifierTwoSample.Settings()
        XCTAssertEqual(try ClassifierTwoSample.split(rows: 20000, settings: s).train, 11000)
        XCTAssertEqual(try ClassifierTwoSample.split(rows: 20000, settings: s).validation, 3000)
        XCTAssertEqual(try ClassifierTwoSample.split(rows: 20000, settings: s).test, 6000)
        let small = try ClassifierTwoSample.split(rows: 3, settings: s)
        XCTAssertEqual([small.train, small.validation, small.test], [1, 1, 1])
        var bad = s
        bad.validationFraction = 0.7
        XCTAssertThrowsError(try ClassifierTwoSample.split(rows: 100, settings: bad)) { error in
            XCTAssertEqual((error as? InputError)?.message, "the classifier test needs test and validation fractions above 0 that "
                           + "leave rows to train on and a patience of at least 1 epoch, found 0.3, 0.7 and 6")
        }
    }

    /// Real muons on the mass shell, E = √(|p|² + m²); "generated" ones with the same momenta
    /// distribution but E = |p|·(1 + 0.03·N(0, 1)), a few % off the shell as a generator's are. The
    /// per-feature distributions barely differ (E's spread is ~50 GeV, the shift ~1 GeV), so without
    /// the masses the test sees little; with them it separates the tables almost perfectly. Both are
    /// deterministic for the seed.
    func testMuonMassesRevealMuonsOffTheirShell() throws {
        let n = 4000
        func table(stream: UInt64, onShell: Bool) -> EventTable {
            var rng = Philox(seed: 17, stream: stream)
            var p = [Float](repeating: 0, count: n * 6), smear = [Float](repeating: 0, count: n * 2)
            p.withUnsafeMutableBufferPointer { rng.fillNormal($0, std: 30) }
            smear.withUnsafeMutableBufferPointer { rng.fillNormal($0, std: 0.03) }
            var values = [Float](repeating: 0, count: n * 8)
            for r in 0..<n {
                for m in 0..<2 {
                    let px = p[r * 6 + 3 * m], py = p[r * 6 + 3 * m + 1], pz = p[r * 6 + 3 * m + 2]
                    let size = (px * px + py * py + pz * pz).squareRoot()
                    let e = onShell ? (size * size + 0.10566 * 0.10566).squareRoot() : size * (1 + smear[r * 2 + m])
                    values.replaceSubrange((r * 8 + 4 * m)..<(r * 8 + 4 * m + 4), with: [e, px, py, pz])
                }
            }
            return EventTable(columns: Self.muon, rows: n, values: values)
        }
        let real = table(stream: 1, onShell: true), generated = table(stream: 2, onShell: false)
        var aucs: [Bool: Double] = [:]
        for masses in [false, true] {
            let settings = ClassifierTwoSample.Settings(rows: n, muonMasses: masses)
            let names = ClassifierTwoSample.inputs(quantities: Self.muon, columns: Self.muon, roles: ColumnRoles(), muonMasses: masses)
            aucs[masses] = try ClassifierTwoSample.auc(real: ClassifierTwoSample.features(real, names: names, rows: n),
                                                       generated: ClassifierTwoSample.features(generated, names: names, rows: n),
                                                       settings: settings)
        }
        let with = try XCTUnwrap(aucs[true]), without = try XCTUnwrap(aucs[false])
        XCTAssertGreaterThan(with, 0.95, "without the masses \(without)")
        XCTAssertGreaterThan(with - without, 0.1, "with \(with), without \(without)")
    }
}
