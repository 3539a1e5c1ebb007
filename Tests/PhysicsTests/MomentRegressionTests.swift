import Comm
import EventStore
import Foundation
import XCTest
@testable import Physics
@testable import Support

final class MomentRegressionTests: XCTestCase {
    typealias F = GradientFixture

    /// Three missing-pT vectors of exact lengths 5, 10, 15 at columns 2 (px) and 0 (py) of width 3:
    /// mean 10, population variance (25 + 0 + 25)/3 = 50/3, all exact in Double.
    private let metRows: [Float] = [4, 0, 3, 8, 1, -6, -12, 2, 9]
    private let metColumns = [2, 0]

    func testLossAndGradientMatchHandComputation() throws {
        let comm = try Communicator.selfOnly()
        let regression = MomentRegression(quantity: .met, columns: metColumns, width: 3, targetMean: 8, targetStd: 3,
                                          maxRows: 4)
        var gradient = [Float](repeating: 0, count: 9)
        let loss = try apply(regression, metRows, rows: 3, comm: comm, &gradient)
        // By hand: L = c1·(10 − 8)² + c2·(√(50/3) − 3)², c1 = c2 = 1e-4.
        let s = (50.0 / 3).squareRoot()
        XCTAssertEqual(loss, 1e-4 * 4 + 1e-4 * (s - 3) * (s - 3), accuracy: 1e-15)
        // ∂L/∂q_i = 2c1(m − μ)/N + 2c2(s − σ)(q_i − m)/(N s), times ∂q/∂(px, py) = (px, py)/q.
        for (r, q) in [5.0, 10, 15].enumerated() {
            let dq = 2e-4 * 2 / 3 + 2e-4 * (s - 3) * (q - 10) / (3 * s)
            let px = Double(metRows[3 * r + 2]), py = Double(metRows[3 * r])
            XCTAssertEqual(Double(gradient[3 * r + 2]), dq * px / q, accuracy: 1e-9)
            XCTAssertEqual(Double(gradient[3 * r]), dq * py / q, accuracy: 1e-9)
            XCTAssertEqual(gradient[3 * r + 1], 0, "a column met does not read")
        }
    }

    func testBatchWithTheTargetMomentsHasZeroLossAndGradient() throws {
        let comm = try Communicator.selfOnly()
        let table = EventTable(columns: ["met_py", "x", "met_px"], rows: 3, values: metRows)
        let targets = try MomentRegression.targets(table, quantity: .met, comm: comm)
        XCTAssertEqual(targets.mean, 10)
        XCTAssertEqual(targets.std, (50.0 / 3).squareRoot())
        let regression = MomentRegression(quantity: .met, columns: metColumns, width: 3, targetMean: targets.mean,
                                          targetStd: targets.std, c1: 1, c2: 1, maxRows: 3)
        var gradient = [Float](repeating: 0, count: 9)
        XCTAssertEqual(try apply(regression, metRows, rows: 3, comm: comm, &gradient), 0)
        XCTAssertEqual(gradient, [Float](repeating: 0, count: 9))
    }

    /// The full loss against a Double central difference wrt every entry of a 5-row batch, for
    /// quantities with one and two vectors, with the targets away from the batch so both terms act.
    func testGradientOfTheLossMatchesFiniteDifferences() throws {
        let comm = try Communicator.selfOnly()
        let cases: [(DerivedQuantity, Double, Double, Double, Double)] = [
            (.mll, 80, 3, 1e-4, 1e-4), (.dphiLL, 0.3, 0.2, 0.5, 2), (.ptll, 40, 30, 1, 0.1),
        ]
        let n = 5, w = F.width, prefill: Float = -0.125
        for (s, (quantity, mean, std, c1, c2)) in cases.enumerated() {
            let columns = F.columns(quantity, seed: UInt64(40 + s))
            let rows = F.rows(quantity, count: n, columns: columns, seed: UInt64(50 + s))
            let regression = MomentRegression(quantity: quantity, columns: columns, width: w, targetMean: mean,
                                              targetStd: std, c1: c1, c2: c2, maxRows: 8)
            var gradient = [Float](repeating: prefill, count: n * w)
            _ = try apply(regression, rows, rows: n, comm: comm, &gradient)
            var numeric = [Double](repeating: 0, count: n * w)
            for i in numeric.indices {
                var scratch = [Float](repeating: 0, count: n * w)
                numeric[i] = try F.centralDifference(rows, i) { try apply(regression, $0, rows: n, comm: comm, &scratch) }
            }
            let largest = numeric.map(Swift.abs).max() ?? 0
            XCTAssertGreaterThan(largest, 0, quantity.rawValue)
            for i in numeric.indices {
                F.assertClose(Double(gradient[i] - prefill), numeric[i], absolute: 1e-5 * largest,
                              "\(quantity.rawValue) entry \(i)")
            }
        }
    }

    func testConstantBatchKeepsOnlyTheMeanTerm() throws {
        let comm = try Communicator.selfOnly()
        let rows: [Float] = [3, 4, 4, 3, -5, 0]   // met 5 three times: s = 0
        let regression = MomentRegression(quantity: .met, columns: [0, 1], width: 2, targetMean: 6, targetStd: 2,
                                          maxRows: 3)
        var gradient = [Float](repeating: 0, count: 6)
        XCTAssertEqual(try apply(regression, rows, rows: 3, comm: comm, &gradient), 1e-4 * 1 + 1e-4 * 4, accuracy: 1e-15)
        let dq = 2e-4 * (5 - 6) / 3.0
        for i in 0..<6 { XCTAssertEqual(Double(gradient[i]), dq * Double(rows[i]) / 5, accuracy: 1e-10) }
    }

    func testNoRowsAnywhereGivesZeroAndLeavesTheGradient() throws {
        let comm = try Communicator.selfOnly()
        let regression = MomentRegression(quantity: .mll, columns: Array(0..<8), width: 8, targetMean: 91,
                                          targetStd: 5, maxRows: 2)
        var gradient: [Float] = [1, 2]
        XCTAssertEqual(try apply(regression, [], rows: 0, comm: comm, &gradient), 0)
        XCTAssertEqual(gradient, [1, 2])
    }

    func testTargetsRefuseMissingColumnsAndEmptyTables() throws {
        let comm = try Communicator.selfOnly()
        let missing = EventTable(columns: ["met_px"], rows: 1, values: [1])
        XCTAssertThrowsError(try MomentRegression.targets(missing, quantity: .met, comm: comm)) { error in
            XCTAssertEqual((error as? InputError)?.exitCode, ExitStatus.usage)
            XCTAssertTrue("\(error)".contains("met_py"), "\(error)")
        }
        let empty = EventTable(columns: ["met_px", "met_py"], rows: 0)
        XCTAssertThrowsError(try MomentRegression.targets(empty, quantity: .met, comm: comm)) { error in
            XCTAssertEqual((error as? InputError)?.exitCode, ExitStatus.dataError)
        }
    }

    func testResolveFindsPositionsAndRefusesWhatCannotRegress() throws {
        let resolved = try MomentRegression.resolve("met", columns: ["a", "met_py", "met_px"])
        XCTAssertEqual(resolved.quantity, .met)
        XCTAssertEqual(resolved.columns, [2, 1])
        for (name, fragment) in [("njets", "zero gradient"), ("mass", "unknown name"), ("mll", "missing mu1_E")] {
            XCTAssertThrowsError(try MomentRegression.resolve(name, columns: ["met_px", "met_py", "jet1_pt"])) { error in
                XCTAssertEqual((error as? InputError)?.exitCode, ExitStatus.usage)
                XCTAssertTrue("\(error)".contains(fragment), "\(error)")
            }
        }
    }

    private func apply(_ regression: MomentRegression, _ rows: [Float], rows count: Int, comm: Communicator,
                       _ gradient: inout [Float]) throws -> Double {
        try rows.withUnsafeBufferPointer { x in
            try gradient.withUnsafeMutableBufferPointer { try regression.apply(x, rows: count, comm: comm, into: $0) }
        }
    }
}
