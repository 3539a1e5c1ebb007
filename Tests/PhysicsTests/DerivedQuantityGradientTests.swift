import EventStore
import Foundation
import XCTest
@testable import Physics
@testable import Support

final class DerivedQuantityGradientTests: XCTestCase {
    typealias F = GradientFixture

    func testOnlyNjetsIsNotDifferentiable() {
        XCTAssertEqual(DerivedQuantity.allCases.filter(\.isDifferentiable), [.mll, .ptll, .met, .phiMiss, .dphiLL])
        XCTAssertFalse(DerivedQuantity.njets.isDifferentiable)
    }

    func testBatchValuesEqualTableQuantityBitwise() throws {
        for (s, quantity) in DerivedQuantity.allCases.enumerated() {
            let columns = F.columns(quantity, seed: UInt64(s))
            let rows = F.rows(quantity, count: 9, columns: columns, seed: 5)
            let expected = try F.table(quantity, rows: rows, columns: columns).quantity(quantity.rawValue)
            let q = F.values(quantity, rows, columns: columns)
            XCTAssertEqual(q.map(\.bitPattern), expected.map(\.bitPattern), quantity.rawValue)
        }
    }

    /// Every input entry of a 7-row batch against a Double central difference of the batch API,
    /// with distinct positive and negative row weights, added onto a non-zero gradient.
    func testGradientsMatchFiniteDifferences() {
        let n = 7, w = F.width, prefill: Float = 0.25
        let weights = (0..<n).map { Double($0) * 0.75 - 2.1 }
        for (s, quantity) in DerivedQuantity.allCases.enumerated() where quantity.isDifferentiable {
            let columns = F.columns(quantity, seed: UInt64(10 + s))
            let rows = F.rows(quantity, count: n, columns: columns, seed: UInt64(20 + s))
            var gradient = [Float](repeating: prefill, count: n * w)
            accumulate(quantity, rows, columns, weights, &gradient)
            for r in 0..<n {
                for c in 0..<w {
                    let i = r * w + c
                    guard columns.contains(c) else {
                        XCTAssertEqual(gradient[i], prefill, "\(quantity.rawValue): non-input column touched")
                        continue
                    }
                    let numeric = weights[r] * F.centralDifference(rows, i) { F.values(quantity, $0, columns: columns)[r] }
                    F.assertClose(Double(gradient[i] - prefill), numeric, absolute: 1e-6,
                                  "\(quantity.rawValue) row \(r) column \(c)")
                }
            }
        }
    }

    func testMassGradientIsZeroWhereMassIsClampedAndBoundedNearZero() {
        let columns = Array(0..<8)
        // Spacelike pair (m² < 0) and a massless collinear pair (m² = 10² − 6² − 8² = 0 exactly).
        let spacelike: [Float] = [1, 10, 0, 0, 1, 10, 0, 0, 7, 7, 7]
        let lightlike: [Float] = [5, 3, 4, 0, 5, 3, 4, 0, 7, 7, 7]
        // With float32 momenta m² ≈ 7e-8, so m ≈ 2.7e-4 GeV lies below the gradient floor.
        let nearZero: [Float] = [0.5, 0.3, 0.4, 0, Float(0.5).nextUp, 0.3, 0.4, 0, 7, 7, 7]
        let rows = spacelike + lightlike + nearZero
        XCTAssertEqual(F.values(.mll, rows, columns: columns).prefix(2), [0, 0])
        var gradient = [Float](repeating: 0, count: rows.count)
        accumulate(.mll, rows, columns, [2, 2, 2], &gradient)
        XCTAssertEqual(Array(gradient[0..<22]), [Float](repeating: 0, count: 22))
        let e = Double(Float(0.5)) + Double(Float(0.5).nextUp)
        XCTAssertEqual(Double(gradient[22]), 2 * e / DerivedQuantity.massGradientFloor, accuracy: 1e-3)
        XCTAssertEqual(Double(gradient[23]), -2 * 0.6 / DerivedQuantity.massGradientFloor, accuracy: 1e-3)
        XCTAssertTrue(gradient.allSatisfy(\.isFinite))
    }

    func testZeroVectorsGiveZeroGradient() {
        let rows: [Float] = [0, 0, 0, 0]
        for quantity in [DerivedQuantity.ptll, .dphiLL] {
            var gradient = [Float](repeating: 0, count: 4)
            accumulate(quantity, rows, [0, 1, 2, 3], [1], &gradient, width: 4)
            XCTAssertEqual(gradient, [0, 0, 0, 0], quantity.rawValue)
        }
        for quantity in [DerivedQuantity.met, .phiMiss] {
            var gradient = [Float](repeating: 0, count: 4)
            accumulate(quantity, rows, [2, 0], [1], &gradient, width: 4)
            XCTAssertEqual(gradient, [0, 0, 0, 0], quantity.rawValue)
        }
    }

    func testNjetsAddsNothing() {
        let columns = F.columns(.njets, seed: 3)
        let rows = F.rows(.njets, count: 4, columns: columns, seed: 3)
        var gradient = [Float](repeating: 0.5, count: rows.count)
        accumulate(.njets, rows, columns, [1, 1, 1, 1], &gradient)
        XCTAssertEqual(gradient, [Float](repeating: 0.5, count: rows.count))
    }

    private func accumulate(_ quantity: DerivedQuantity, _ rows: [Float], _ columns: [Int], _ weights: [Double],
                            _ gradient: inout [Float], width: Int = GradientFixture.width) {
        rows.withUnsafeBufferPointer { x in
            weights.withUnsafeBufferPointer { w in
                gradient.withUnsafeMutableBufferPointer {
                    quantity.accumulateGradient(x, count: weights.count, width: width, columns: columns, weights: w, into: $0)
                }
            }
        }
    }
}
