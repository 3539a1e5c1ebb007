import EventStore
import Foundation
import XCTest
@testable import Physics
@testable import Support

final class DetectorTests: XCTestCase {
    func testVertexCountIsPoissonTwenty() throws {
        let nvtx = try Fixture.dy.quantity("nvtx")
        XCTAssertTrue(nvtx.allSatisfy { $0 >= 0 && $0 == $0.rounded() })
        XCTAssertEqual(Stats.mean(nvtx), 20, accuracy: 0.15)
        XCTAssertEqual(Stats.variance(nvtx), 20, accuracy: 0.8)
    }

    func testJetsAreSortedThresholdedAndZeroPadded() throws {
        let t = Fixture.dy
        let first = try XCTUnwrap(t.columnIndex("jet1_pt"))
        var withJets = [Int](repeating: 0, count: 6)
        for r in 0..<t.rows {
            var n = 0
            for k in 0..<5 {
                let pt = t[r, first + k]
                XCTAssertTrue(pt == 0 || pt > 15, "jet\(k + 1)_pt = \(pt)")
                if k > 0 { XCTAssertLessThanOrEqual(pt, t[r, first + k - 1]) }
                if pt > 0 { n += 1 }
            }
            withJets[n] += 1
        }
        let zeroJet = Double(withJets[0]) / Double(t.rows)
        XCTAssertGreaterThan(zeroJet, 0.2)
        XCTAssertLessThan(zeroJet, 0.8)
        XCTAssertGreaterThan(withJets[1], 0)
        XCTAssertGreaterThan(withJets[2], 0)
        XCTAssertGreaterThan(withJets[3], 0)
        XCTAssertEqual(try t.quantity("njets"), (0..<t.rows).map { r in
            Double((0..<5).filter { t[r, first + $0] > 0 }.count)
        })
    }

    func testJetsRecoilAgainstTheDimuon() throws {
        let ptll = try Fixture.dy.quantity("ptll"), jet1 = try Fixture.dy.quantity("jet1_pt")
        var high = [Double](), highPt = [Double]()
        for i in ptll.indices where ptll[i] > 40 { high.append(jet1[i]); highPt.append(ptll[i]) }
        XCTAssertGreaterThan(high.count, 300)
        XCTAssertGreaterThan(Stats.fraction(high) { $0 > 0 }, 0.9)
        XCTAssertGreaterThan(Stats.correlation(highPt, high), 0.5)
    }

    func testPileupJetsGrowWithVertexCount() throws {
        let nvtx = try Fixture.dy.quantity("nvtx"), njets = try Fixture.dy.quantity("njets")
        var low = [Double](), high = [Double]()
        for i in nvtx.indices {
            if nvtx[i] <= 15 { low.append(njets[i]) } else if nvtx[i] >= 25 { high.append(njets[i]) }
        }
        XCTAssertGreaterThan(Stats.mean(high), Stats.mean(low) + 0.1)
    }

    func testIsolationIsNonNegativeWithExactZeros() throws {
        for name in ["mu1_iso", "mu2_iso"] {
            let iso = try Fixture.dy.quantity(name)
            XCTAssertTrue(iso.allSatisfy { $0 >= 0 })
            let zeros = Stats.fraction(iso) { $0 == 0 }
            XCTAssertGreaterThan(zeros, 0.05, name)
            XCTAssertLessThan(zeros, 0.4, name)
            XCTAssertLessThan(Stats.median(iso), 0.2, name)
        }
        // The cone is filled by pileup: more zeros at low nvtx than at high nvtx.
        let nvtx = try Fixture.dy.quantity("nvtx"), iso = try Fixture.dy.quantity("mu1_iso")
        var low = [Double](), high = [Double]()
        for i in nvtx.indices {
            if nvtx[i] <= 15 { low.append(iso[i]) } else if nvtx[i] >= 25 { high.append(iso[i]) }
        }
        XCTAssertGreaterThan(Stats.fraction(low) { $0 == 0 }, 1.5 * Stats.fraction(high) { $0 == 0 })
    }

    func testMissingMomentumResolutionGrowsWithPileup() throws {
        let t = Fixture.dy
        let nvtx = try t.quantity("nvtx"), mx = try t.quantity("met_px"), my = try t.quantity("met_py")
        var low = [Double](), high = [Double]()
        for i in nvtx.indices {
            if nvtx[i] <= 15 { low += [mx[i], my[i]] } else if nvtx[i] >= 25 { high += [mx[i], my[i]] }
        }
        XCTAssertGreaterThan(low.count, 2000)
        XCTAssertGreaterThan(high.count, 2000)
        XCTAssertEqual(Stats.mean(low), 0, accuracy: 1)
        XCTAssertGreaterThan(Stats.variance(high).squareRoot(), 1.1 * Stats.variance(low).squareRoot())
        // No invisible particles in Drell–Yan: MET is resolution only, far below the dimuon scale.
        XCTAssertLessThan(Stats.median(try t.quantity("met")), 25)
    }
}
