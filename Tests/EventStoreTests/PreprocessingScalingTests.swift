import Comm
import Foundation
import XCTest
@testable import EventStore
@testable import Support

final class PreprocessingScalingTests: XCTestCase {
    typealias F = PreprocessingFixtures
    let scaled = ["mu1_E", "mu1_px", "mu1_pz", "nvtx", "met_py", "mu2_iso", "jet3_pt"]

    func testStandardizeGivesZeroMeanUnitStdAndRoundTrips() throws {
        let table = F.events(rows: 3000)
        var p = Preprocessor(steps: [.standardize(scaled)])
        try p.fit(table, comm: nil)
        XCTAssertEqual(p.outputColumns, F.columns)
        let out = try p.forward(table, seed: 1)
        for name in scaled {
            let y = F.column(out, name)
            let mean = y.reduce(0, +) / Double(y.count)
            let std = (y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(y.count)).squareRoot()
            XCTAssertEqual(mean, 0, accuracy: 1e-5, name)
            XCTAssertEqual(std, 1, accuracy: 1e-5, name)
            let x = F.column(table, name)
            let xm = x.reduce(0, +) / Double(x.count)
            XCTAssertEqual(p.steps[0].shift?[scaled.firstIndex(of: name) ?? 0] ?? .nan, xm, accuracy: 1e-9 * max(1, abs(xm)))
        }
        XCTAssertEqual(F.column(out, "mu2_px"), F.column(table, "mu2_px"), "unlisted columns untouched")
        let back = try p.inverse(out, seed: 1)
        XCTAssertEqual(back.columns, F.columns)
        for name in F.columns {
            let scale = scaled.firstIndex(of: name).flatMap { p.steps[0].scale?[$0] } ?? 1
            F.assertClose(F.column(back, name), F.column(table, name), relative: 1e-5, floor: scale, name)
        }
    }

    func testConstantColumnUsesScaleOne() throws {
        var table = F.events(rows: 50)
        let c = try XCTUnwrap(table.columnIndex("jet5_pt"))
        for r in 0..<table.rows { table[r, c] = 3 }
        var p = Preprocessor(steps: [.standardize(["jet5_pt"]), .minMax(["jet5_pt"])])
        try p.fit(table, comm: nil)
        XCTAssertEqual(p.steps[0].shift, [3])
        XCTAssertEqual(p.steps[0].scale, [1])
        XCTAssertEqual(p.steps[1].scale, [1])
        let out = try p.forward(table, seed: 0)
        XCTAssertEqual(Set(F.column(out, "jet5_pt")), [0])
        XCTAssertEqual(Set(F.column(try p.inverse(out, seed: 0), "jet5_pt")), [3])
    }

    func testMinMaxMapsFittedRangeToMinusOneOne() throws {
        let table = F.events(rows: 2000)
        var p = Preprocessor(steps: [.minMax(scaled)])
        try p.fit(table, comm: nil)
        let out = try p.forward(table, seed: 0)
        for name in scaled {
            let y = F.column(out, name)
            XCTAssertEqual(y.min() ?? .nan, -1, accuracy: 1e-6, name)
            XCTAssertEqual(y.max() ?? .nan, 1, accuracy: 1e-6, name)
        }
        let back = try p.inverse(out, seed: 0)
        // Float32 storage of the scaled value limits the error to ~1e-7 of the column's scale.
        for (k, name) in scaled.enumerated() {
            F.assertClose(F.column(back, name), F.column(table, name), relative: 1e-5, floor: p.steps[0].scale?[k] ?? 1, name)
        }
    }

    func testLog1pRoundTrip() throws {
        let table = F.events(rows: 500)
        let jets = ["jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt", "mu1_iso"]
        var p = Preprocessor(steps: [.log1p(jets), .standardize(jets)])
        try p.fit(table, comm: nil)
        let out = try p.forward(table, seed: 0)
        let logged = F.column(table, "jet1_pt").map { Foundation.log1p($0) }
        let mean = logged.reduce(0, +) / Double(logged.count)
        XCTAssertEqual(p.steps[1].shift?[0] ?? .nan, mean, accuracy: 1e-6, "standardize is fitted after log1p")
        let back = try p.inverse(out, seed: 0)
        for name in jets { F.assertClose(F.column(back, name), F.column(table, name), relative: 1e-5, name) }
    }

    func testLog1pRefusesMinusTwoNamingRowAndColumn() throws {
        var rows = F.rows(of: F.events(rows: 3))
        rows[1][13] = -2
        let table = F.table(rows, firstRow: 10)
        var p = Preprocessor(steps: [.log1p(["jet1_pt"])])
        let error = F.message { try p.fit(table, comm: nil) }
        XCTAssertEqual(error?.text, "row 11, column 'jet1_pt': log1p expected a value > -1, found -2.0; "
                       + "leave 'jet1_pt' out of the log1p step or shift it first")
        XCTAssertEqual(error?.code, ExitStatus.dataError)
        XCTAssertFalse(p.isFitted)
        try p.fit(F.events(rows: 3), comm: nil)
        XCTAssertEqual(F.message { _ = try p.forward(table, seed: 0) }?.text.hasPrefix("row 11, column 'jet1_pt'"), true)
    }

    func testUnknownColumnNamesTheAvailableColumns() throws {
        var p = Preprocessor(steps: [.log1p(["jet1_pt"]), .standardize(["mu1_E", "mu3_E"])])
        let error = F.message { try p.fit(F.events(rows: 4), comm: nil) }
        XCTAssertEqual(error?.text, "preprocessing step 2 (standardize): unknown column 'mu3_E'; expected one of the "
                       + "available columns: mu1_E, mu1_px, mu1_py, mu1_pz, mu2_E, mu2_px, mu2_py, mu2_pz, nvtx, met_px, "
                       + "met_py, mu1_iso, mu2_iso, jet1_pt, jet2_pt, jet3_pt, jet4_pt, jet5_pt; fix the column name in the step")
        XCTAssertEqual(error?.code, ExitStatus.usage)
    }

    func testStepListMistakesAreRefused() throws {
        let table = F.events(rows: 4)
        var repeated = Preprocessor(steps: [.minMax(["nvtx", "nvtx"])])
        XCTAssertEqual(F.message { try repeated.fit(table, comm: nil) }?.text,
                       "preprocessing step 1 (minMax): column 'nvtx' is listed twice; expected each column at most once; remove the repeat")
        var empty = Preprocessor(steps: [.standardize([])])
        XCTAssertEqual(F.message { try empty.fit(table, comm: nil) }?.text,
                       "preprocessing step 1 (standardize): expected at least one column, found none; name its columns or leave the step out")
        var infinite = table
        infinite[2, 0] = .infinity
        var p = Preprocessor(steps: [.standardize(["mu1_E"])])
        XCTAssertEqual(F.message { try p.fit(infinite, comm: nil) }?.text,
                       "row 2, column 'mu1_E': preprocessing step 1 (standardize) expected a finite value to fit on, "
                       + "found inf; clean the input or drop non-finite rows")
        var none = Preprocessor(steps: [.standardize(["mu1_E"])])
        XCTAssertEqual(F.message { try none.fit(table.slice(0..<0), comm: nil) }?.text,
                       "preprocessing fit: expected at least one training row, found 0; check the training split")
        XCTAssertEqual(F.message { _ = try none.forward(table, seed: 0) }?.code, ExitStatus.software)
    }
}
