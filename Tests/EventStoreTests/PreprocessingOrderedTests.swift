import Comm
import Foundation
import XCTest
@testable import EventStore
@testable import Support

/// The `ordered` step on the jet pTs: y_k = (x_k − t)/(x_{k−1} − t), −1 for an absent jet after a present
/// one, a draw from the fitted y_k distribution after an absent one; the inverse rebuilds the
/// sequence by cumulative products. Reference values are computed here in Double from the rows.
final class PreprocessingOrderedTests: XCTestCase {
    typealias F = PreprocessingFixtures
    static let jets = ["jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt"]

    /// Fixture events whose jets are a descending sequence above 15 GeV with 0 for absent jets,
    /// including a row with two equal jets and a row with a jet exactly at the threshold.
    static func orderedEvents(rows: Int, seed: UInt64 = 7, firstRow: Int = 0) -> EventTable {
        var table = F.events(rows: rows, seed: seed, firstRow: firstRow)
        let first = table.columnIndex("jet1_pt")!
        for r in 0..<rows {
            var g = Philox(seed: seed, stream: UInt64(firstRow + r), substream: 9)
            let count = Int(g.uniform() * 6)   // 0 … 5 jets
            let pts = (0..<count).map { _ in Float(15 + 40 * g.exponential()) }.sorted(by: >)
            for k in 0..<5 { table[r, first + k] = k < count ? pts[k] : 0 }
        }
        if rows > 4 {
            for k in 0..<5 { table[3, first + k] = k < 2 ? 42 : 0 }
            for k in 0..<5 { table[4, first + k] = k < 2 ? [30, 15][k] : 0 }
        }
        return table
    }

    /// Forward: the first jet unchanged, y_k in [0, 1] for a present jet after a present one and −1
    /// for an absent one, t = the smallest non-zero jet pT; inverse: absent jets exactly 0, present
    /// ones within float32 rounding; every other column bitwise untouched; and the forward values
    /// do not depend on how the rows are split (row-keyed streams).
    func testForwardAndInverseAreExactOnOrderedRows() throws {
        let table = Self.orderedEvents(rows: 3000)
        var p = Preprocessor(steps: [.ordered(Self.jets)])
        try p.fit(table, comm: nil)
        let t = try XCTUnwrap(p.steps[0].shift?.first)
        let positive = Self.jets.flatMap { F.column(table, $0) }.filter { $0 > 0 }
        XCTAssertEqual(t, positive.min(), "t is the smallest non-zero jet pT")
        XCTAssertEqual(t, 15, "the threshold row")
        XCTAssertEqual(p.outputColumns, table.columns, "the columns keep their names")
        let y = try p.forward(table, seed: 5)
        let back = try p.inverse(y, seed: 5)
        let x = Self.jets.map { F.column(table, $0) }, forward = Self.jets.map { F.column(y, $0) }
        let inverse = Self.jets.map { F.column(back, $0) }
        XCTAssertEqual(forward[0], x[0], "jet1_pt passes unchanged")
        var checked = 0
        for r in 0..<table.rows {
            for k in 1..<5 where x[k - 1][r] > 0 {
                let expected = x[k][r] > 0 ? (x[k - 1][r] > t ? (x[k][r] - t) / (x[k - 1][r] - t) : 0) : -1
                XCTAssertEqual(forward[k][r], expected, accuracy: 1e-7, "row \(r) \(Self.jets[k])")
                checked += 1
            }
            for k in 0..<5 {
                if x[k][r] == 0 {
                    XCTAssertEqual(inverse[k][r], 0, "row \(r) \(Self.jets[k]): an absent jet comes back exactly")
                } else {
                    XCTAssertEqual(inverse[k][r], x[k][r], accuracy: 3e-7 * x[k][r], "row \(r) \(Self.jets[k])")
                }
            }
        }
        XCTAssertGreaterThan(checked, 3000, "rows with a present predecessor")
        XCTAssertEqual(forward[1][3], 1, "two equal jets: y = 1")
        XCTAssertEqual(inverse[1][3], 42, "two equal jets come back equal")
        XCTAssertEqual(inverse[1][4], 15, "a jet at the threshold comes back at the threshold")
        for name in table.columns where !Self.jets.contains(name) {
            XCTAssertEqual(F.column(y, name), F.column(table, name), name)
            XCTAssertEqual(F.column(back, name), F.column(table, name), name)
        }
        let pieces = try F.piecewise(table, [0..<1000, 1000..<1001, 1001..<3000]) { try p.forward($0, seed: 5) }
        XCTAssertEqual(pieces.values, y.values, "row-keyed draws: the same values however the rows are split")
    }

    /// Where the jet before is absent, y_k is drawn from the y_k values of the rows where it is
    /// present: the fraction of draws below 0 (absent) matches that conditional fraction, so a
    /// network that learns y_k's marginal reproduces P(jet_k | jet_{k−1}).
    func testFillDrawsFollowTheConditionalPresence() throws {
        let table = Self.orderedEvents(rows: 4000, seed: 11)
        var p = Preprocessor(steps: [.ordered(Self.jets)])
        try p.fit(table, comm: nil)
        let y = try p.forward(table, seed: 2)
        for k in 1..<3 {
            let before = F.column(table, Self.jets[k - 1]), value = F.column(y, Self.jets[k])
            let defined = value.indices.filter { before[$0] > 0 }, filled = value.indices.filter { before[$0] == 0 }
            let absent = Double(defined.filter { value[$0] < 0 }.count) / Double(defined.count)
            let drawn = Double(filled.filter { value[$0] < 0 }.count) / Double(filled.count)
            XCTAssertGreaterThan(filled.count, 500, Self.jets[k])
            // Binomial spread of the drawn fraction: 3σ of both samples.
            let sigma = (absent * (1 - absent) * (1 / Double(filled.count) + 1 / Double(defined.count))).squareRoot()
            XCTAssertEqual(drawn, absent, accuracy: 3 * sigma + 0.002, Self.jets[k])
            XCTAssertTrue(filled.allSatisfy { value[$0] >= -1 && value[$0] <= 1 }, "draws stay in [−1, 1]")
        }
    }

    /// Any network output decodes to a physical jet sequence: descending, absent jets only after
    /// the last present one, every later jet 0 or at least t, finite; a leading jet inside the
    /// gap (0, t) leaves the later ones absent.
    func testAnyOutputDecodesToADescendingSequence() throws {
        var p = Preprocessor(steps: [.ordered(Self.jets)])
        try p.fit(Self.orderedEvents(rows: 500), comm: nil)
        let t = Float(try XCTUnwrap(p.steps[0].shift?.first))
        var output = Self.orderedEvents(rows: 2000, seed: 3)
        let first = output.columnIndex("jet1_pt")!
        var g = Philox(seed: 4, stream: 0)
        for r in 0..<output.rows {
            let u = g.uniform()
            output[r, first] = u < 0.3 ? 0 : u < 0.4 ? t * Float(g.uniform()) : Float(t + 60 * Float(g.uniform()))
            for k in 1..<5 { output[r, first + k] = k == 4 && r % 97 == 0 ? .nan : Float(3 * g.normal()) }
        }
        let back = try p.inverse(output, seed: 0)
        for r in 0..<back.rows {
            let jets = (0..<5).map { back[r, first + $0] }
            XCTAssertTrue(jets.dropFirst().allSatisfy { $0.isFinite && ($0 == 0 || $0 >= t) }, "row \(r): \(jets)")
            if jets[0] < t { XCTAssertEqual(jets.dropFirst().max(), 0, "row \(r): a leading value inside (0, t) is absent for the rest") }
            XCTAssertEqual(jets, jets.sorted(by: >), "row \(r): descending")
        }
    }

    /// Rows that are not descending sequences of finite values ≥ 0, and jets that are never
    /// present, are refused with one line naming the row, the columns and the fix.
    func testBadRowsAreRefusedWithOneLine() throws {
        var p = Preprocessor(steps: [.ordered(Self.jets)])
        var rows = F.rows(of: Self.orderedEvents(rows: 12))
        rows[6][13] = 20; rows[6][14] = 35.5
        XCTAssertEqual(F.message { try p.fit(F.table(rows, firstRow: 100), comm: nil) }?.text,
                       "row 106: preprocessing step 1 (ordered) expected jet1_pt ≥ jet2_pt (a descending sequence, 0 = absent, "
                       + "leading first), found jet2_pt = 35.5 > jet1_pt = 20.0; list the columns leading first or leave them out of ordered")
        rows = F.rows(of: Self.orderedEvents(rows: 12))
        rows[2][15] = -2
        XCTAssertEqual(F.message { try p.fit(F.table(rows), comm: nil) }?.text,
                       "row 2, column 'jet3_pt': preprocessing step 1 (ordered) expected a finite value ≥ 0 (0 = absent), found -2.0; "
                       + "clean the input or leave 'jet3_pt' out of ordered")
        rows = F.rows(of: Self.orderedEvents(rows: 12))
        for r in rows.indices { for c in 13..<18 { rows[r][c] = 0 } }
        XCTAssertEqual(F.message { try p.fit(F.table(rows), comm: nil) }?.text,
                       "preprocessing step 1 (ordered): expected a positive training value in jet1_pt, jet2_pt, jet3_pt, jet4_pt, "
                       + "jet5_pt, found only zeros; leave these columns out of ordered")
        // A fitted step refuses a table it is applied to the same way (held-out rows, a new table).
        try p.fit(Self.orderedEvents(rows: 50), comm: nil)
        rows = F.rows(of: Self.orderedEvents(rows: 12))
        rows[9][16] = .nan
        XCTAssertEqual(F.message { _ = try p.forward(F.table(rows, firstRow: 40), seed: 0) }?.text,
                       "row 49, column 'jet4_pt': preprocessing step 1 (ordered) expected a finite value ≥ 0 (0 = absent), found nan; "
                       + "clean the input or leave 'jet4_pt' out of ordered")
    }

    /// The fitted step survives the JSON a model stores it in (same forward and inverse), and a
    /// damaged one is refused when it is read.
    func testStoredStepRoundTrips() throws {
        var p = Preprocessor(steps: [.ordered(Self.jets), .quantile(Self.jets), .standardize(Self.jets)])
        try p.fit(Self.orderedEvents(rows: 400), comm: nil)
        XCTAssertFalse(PreprocessingStep.Kind.ordered.isElementwise, "the inverse mixes the jets of a row")
        let json = try JSONEncoder().encode(p)
        let decoded = try JSONDecoder().decode(Preprocessor.self, from: json)
        let table = Self.orderedEvents(rows: 30, seed: 3)
        let y = try p.forward(table, seed: 1)
        XCTAssertEqual(try decoded.forward(table, seed: 1).values, y.values)
        XCTAssertEqual(try decoded.inverse(y, seed: 1).values, try p.inverse(y, seed: 1).values)
        let damaged = try XCTUnwrap(String(data: json, encoding: .utf8)).replacingOccurrences(of: "\"shift\":[15]", with: "\"shift\":[-1]")
        XCTAssertNotEqual(damaged, String(data: json, encoding: .utf8), "the fixture's threshold is 15")
        XCTAssertThrowsError(try JSONDecoder().decode(Preprocessor.self, from: Data(damaged.utf8))) { error in
            XCTAssertEqual((error as? InputError)?.message, "stored preprocessor preprocessing step 1 (ordered): expected one positive "
                           + "finite threshold and 4 ascending lists of at least 2 finite knots, found 1 thresholds and 4 lists; "
                           + "the model file is damaged, refit the model")
        }
    }
}
