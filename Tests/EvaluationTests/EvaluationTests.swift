import EventStore
import XCTest
@testable import Support
@testable import Evaluation
import Comm

/// The evaluation's numbers on tables small enough to work out by hand.
final class EvaluationTests: XCTestCase {
    /// real a = 0 1 2 3, generated a = 1 2 3 4: the ECDFs differ by 1/4 on [0, 4), so KS = 0.25,
    /// and the generated sample is the real one shifted by 1, so W1 = 1. Every lattice path from
    /// (0,0) to (4,4) leaves the diagonal, so P(D >= 1/4) = 1 (scipy's ks_2samp also gives 1.0).
    /// b holds the same values in reverse order in the generated table: KS = W1 = 0, p = 1, but
    /// corr(a, b) flips from +1 to −1, a gap of 2. c is constant (undefined correlation): skipped.
    /// The floor's fixed permutation halves the real rows into {1, 3} and {0, 2}: a and b (the same
    /// real values 0 1 2 3) give halves {1, 3} vs {0, 2}, KS 1/2, rescaled from 2 vs 2 to 4 vs 4 rows
    /// by sqrt(8/16) / sqrt(4/4): 0.5·sqrt(1/2) = 0.353553…; c's halves agree: 0. The critical value
    /// is 1.358102·sqrt(8/16) = 0.960323 for every row.
    func testHandComputedColumnsAndCorrelationGap() throws {
        let real = EventTable(columns: ["a", "b", "c"], rows: 4, values: [0, 0, 7, 1, 1, 7, 2, 2, 7, 3, 3, 7])
        let generated = EventTable(columns: ["a", "b", "c"], rows: 4, values: [1, 3, 7, 2, 2, 7, 3, 1, 7, 4, 0, 7])
        let e = try Evaluation(real: real, generated: generated)
        XCTAssertEqual(e.rows, [
            Evaluation.Row(name: "a", ks: 0.25, pValue: 1, wasserstein: 1, floor: 0.3535533905932738),
            Evaluation.Row(name: "b", ks: 0, pValue: 1, wasserstein: 0, floor: 0.3535533905932738),
            Evaluation.Row(name: "c", ks: 0, pValue: 1, wasserstein: 0, floor: 0),
        ])
        XCTAssertEqual(NoiseFloor(realRows: 4, generatedRows: 4).first, [1, 3])
        XCTAssertEqual(NoiseFloor(realRows: 4, generatedRows: 4).second, [0, 2])
        XCTAssertEqual(e.critical, 0.9603227913199208)
        XCTAssertEqual(e.correlation, Evaluation.CorrelationGap(first: "a", second: "b", real: 1, generated: -1))
        XCTAssertEqual(e.correlation?.value, 2)
        XCTAssertNil(e.paperSum)
        XCTAssertEqual(e.paperMissing, ["mll (needs mu1_E, mu1_px, mu1_py, mu1_pz, mu2_E, mu2_px, mu2_py, mu2_pz)",
                                        "phi_miss (needs met_px, met_py)", "mu1_iso (no such column)"])
        XCTAssertEqual(e.formattedTable(), """
            column  statistic    p-value         W1      floor   critical   vs floor
            ------  ---------  ---------  ---------  ---------  ---------  ---------
            a        0.250000  1.000e+00  1.000e+00   0.353553   0.960323      below
            b        0.000000  1.000e+00  0.000e+00   0.353553   0.960323      below
            c        0.000000  1.000e+00  0.000e+00   0.000000   0.960323      below
            ------  ---------
            sum      0.250000

            """)
        XCTAssertEqual(e.json(real: "r.h5", generated: "g.h5").serializedByLine, """
            {
              "ks": {"a": 0.25, "b": 0.0, "c": 0.0},
              "p_values": {"a": 1.0, "b": 1.0, "c": 1.0},
              "wasserstein": {"a": 1.0, "b": 0.0, "c": 0.0},
              "floor": {"a": 0.3535533905932738, "b": 0.3535533905932738, "c": 0.0},
              "critical": 0.9603227913199208,
              "rows": {"real": 4, "generated": 4},
              "max_correlation_difference": {"pair": ["a", "b"], "value": 2.0, "real": 1.0, "generated": -1.0},
              "real": "r.h5",
              "generated": "g.h5"
            }

            """)
    }

    /// Derived quantities follow the columns. met: real (3,4) → 5 and (0,1) → 1; generated (0,1) → 1
    /// and (6,8) → 10. The ECDFs agree below 5 and differ by 1/2 on [5, 10): KS 0.5, W1 0.5 × 5 = 2.5.
    func testDerivedQuantitiesComeAfterTheColumns() throws {
        let real = EventTable(columns: ["met_px", "met_py"], rows: 2, values: [3, 4, 0, 1])
        let generated = EventTable(columns: ["met_px", "met_py"], rows: 2, values: [0, 1, 6, 8])
        let e = try Evaluation(real: real, generated: generated)
        XCTAssertEqual(e.rows.map(\.name), ["met_px", "met_py", "met", "phi_miss"])
        let met = try XCTUnwrap(e.row(named: "met"))
        XCTAssertEqual(met.ks, 0.5)
        XCTAssertEqual(met.wasserstein, 2.5, accuracy: 1e-12)
        XCTAssertEqual(e.paperMissing.first, "mll (needs mu1_E, mu1_px, mu1_py, mu1_pz, mu2_E, mu2_px, mu2_py, mu2_pz)")
    }

    /// The paper's score is the plain sum of its three quantities' KS statistics.
    func testPaperSumAddsTheThreeQuantities() throws {
        let columns = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz", "met_px", "met_py", "mu1_iso"]
        let k = columns.count
        let real = EventTable(columns: columns, rows: 3, values: (0..<(3 * k)).map { Float($0 % 7) + 50 })
        let generated = EventTable(columns: columns, rows: 3, values: (0..<(3 * k)).map { Float($0 % 5) + 50 })
        let e = try Evaluation(real: real, generated: generated)
        let expected = try ["mll", "phi_miss", "mu1_iso"].map { try XCTUnwrap(e.row(named: $0)).ks }.reduce(0, +)
        XCTAssertEqual(try XCTUnwrap(e.paperSum), expected)
        XCTAssertGreaterThan(expected, 0)
        XCTAssertTrue(e.paperMissing.isEmpty)
    }
}
