import XCTest
@testable import Metrics

final class CorrelationMatrixTests: XCTestCase {
    func testMatchesNumpyCorrcoef() throws {
        let c = try ReferenceData.load().correlation
        for (columns, expected) in [(c.x_columns, c.corr_x), (c.y_columns, c.corr_y)] {
            let m = try CorrelationMatrix(columns: columns)
            XCTAssertEqual(m.order, expected.count)
            for i in 0..<m.order {
                for j in 0..<m.order {
                    XCTAssertEqual(m[i, j], expected[i][j], accuracy: 1e-12, "(\(i), \(j))")
                }
            }
        }
        let diff = try CorrelationMatrix(columns: c.x_columns).difference(from: CorrelationMatrix(columns: c.y_columns))
        XCTAssertEqual(diff.maxAbs, c.max_abs_diff, accuracy: 1e-12)
        XCTAssertEqual(diff.meanAbs, c.mean_abs_diff, accuracy: 1e-12)
    }

    func testEqualsReferenceTwinOnRandomInputs() throws {
        var rng = SplitMix64(state: 5)
        for trial in 0..<20 {
            let rows = 2 + rng.below(100), k = 1 + rng.below(6)
            let base = (0..<rows).map { _ in rng.uniform() }
            let columns = (0..<k).map { c in base.map { $0 * Double(c - 2) + rng.uniform() } }
            let fast = try CorrelationMatrix(columns: columns)
            let twin = try CorrelationMatrix.reference(columns: columns)
            for i in 0..<(k * k) {
                XCTAssertEqual(fast.values[i], twin.values[i], accuracy: 1e-12, "trial \(trial) entry \(i)")
            }
        }
    }

    func testPerfectAndConstantColumns() throws {
        let m = try CorrelationMatrix(columns: [[1, 2, 3, 4], [8, 6, 4, 2], [5, 5, 5, 5]])
        XCTAssertEqual(m[0, 0], 1)
        XCTAssertEqual(m[0, 1], -1, accuracy: 1e-15)
        XCTAssertTrue(m[0, 2].isNaN && m[2, 2].isNaN)
    }

    func testDifferenceOverOffDiagonalPairs() throws {
        let a = CorrelationMatrix(order: 3, values: [1, 0.5, 0.1, 0.5, 1, -0.2, 0.1, -0.2, 1])
        let b = CorrelationMatrix(order: 3, values: [1, 0.1, 0.1, 0.1, 1, 0.4, 0.1, 0.4, 1])
        let d = try a.difference(from: b)
        XCTAssertEqual(d.maxAbs, 0.6, accuracy: 1e-15)
        XCTAssertEqual(d.meanAbs, (0.4 + 0 + 0.6) / 3, accuracy: 1e-15)
    }

    func testSizeErrors() {
        XCTAssertThrowsError(try CorrelationMatrix(columns: [[1, 2, 3], [1, 2]])) { error in
            XCTAssertEqual("\(error)", "size mismatch: column 1 has 2 rows, column 0 has 3")
        }
        XCTAssertThrowsError(try CorrelationMatrix(columns: [[1]]))
        XCTAssertThrowsError(try CorrelationMatrix(order: 2, values: [1, 0, 0, 1])
            .difference(from: CorrelationMatrix(order: 1, values: [1]))) { error in
            XCTAssertEqual("\(error)", "size mismatch: correlation matrices of order 2 and 1")
        }
    }
}
