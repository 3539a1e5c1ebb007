import EventStore
import Foundation
import XCTest
@testable import Physics
@testable import Support

final class DrellYanTests: XCTestCase {
    func testMassPeaksAtTheZWithinTheGeneratedWindow() throws {
        let mll = try Fixture.dy.quantity("mll")
        XCTAssertEqual(Stats.mode(mll, lo: 60, hi: 120, bins: 60), 91.5, accuracy: 1.6)
        XCTAssertEqual(Stats.median(mll), 91, accuracy: 1.0)
        // Generated in 60–120 GeV; only ~1 % resolution moves events across the edges.
        XCTAssertGreaterThan(mll.min() ?? 0, 54)
        XCTAssertLessThan(mll.max() ?? .infinity, 132)
        XCTAssertGreaterThan(Stats.fraction(mll) { $0 > 58 && $0 < 122 }, 0.998)
        // The peak has the Z width (plus resolution), not a broad bump.
        XCTAssertGreaterThan(Stats.fraction(mll) { Swift.abs($0 - 91.19) < 5 }, 0.6)
    }

    func testGammaStarTailBelowThePeak() throws {
        let mll = try Fixture.dy.quantity("mll")
        // A pure Breit–Wigner would leave about 2.5 % below 80 GeV; the γ* continuum doubles it.
        let low = Stats.fraction(mll) { $0 < 80 }
        XCTAssertGreaterThan(low, 0.04)
        XCTAssertLessThan(low, 0.12)
        // Falling continuum: more events at 65–70 GeV than at 110–115 GeV.
        let below = Stats.fraction(mll) { $0 > 65 && $0 < 70 }, above = Stats.fraction(mll) { $0 > 110 && $0 < 115 }
        XCTAssertGreaterThan(below, 1.3 * above)
        let zh = try Fixture.zh.quantity("mll")
        XCTAssertLessThan(Stats.fraction(zh) { $0 < 80 }, 0.035)
    }

    func testMuonAcceptanceAndOrdering() {
        let t = Fixture.dy
        var minLead = Double.infinity, minSub = Double.infinity, maxEta = 0.0
        var edgeLead = 0, edgeSub = 0
        for r in 0..<t.rows {
            let pt1 = hypot(Double(t[r, 1]), Double(t[r, 2])), pt2 = hypot(Double(t[r, 5]), Double(t[r, 6]))
            XCTAssertGreaterThanOrEqual(pt1 * (1 + 1e-6), pt2)
            minLead = min(minLead, pt1)
            minSub = min(minSub, pt2)
            maxEta = max(maxEta, Swift.abs(asinh(Double(t[r, 3]) / pt1)), Swift.abs(asinh(Double(t[r, 7]) / pt2)))
            if pt1 < 22 { edgeLead += 1 }
            if pt2 < 12 { edgeSub += 1 }
            // On-shell muons: E = sqrt(p² + m²) up to float rounding.
            for base in [0, 4] {
                let p2 = pow(Double(t[r, base + 1]), 2) + pow(Double(t[r, base + 2]), 2) + pow(Double(t[r, base + 3]), 2)
                XCTAssertEqual(Double(t[r, base]), (p2 + 0.0111637).squareRoot(), accuracy: 1e-6 * Double(t[r, base]))
            }
        }
        XCTAssertGreaterThanOrEqual(minLead, 20 * (1 - 1e-5))
        XCTAssertGreaterThanOrEqual(minSub, 10 * (1 - 1e-5))
        XCTAssertLessThanOrEqual(maxEta, 2.4 + 1e-4)
        // Sharp edges: the cuts bite, so events pile up right above them.
        XCTAssertGreaterThan(minLead, 19.99)
        XCTAssertLessThan(minLead, 20.2)
        XCTAssertLessThan(minSub, 10.2)
        XCTAssertGreaterThan(maxEta, 2.39)
        XCTAssertGreaterThan(edgeLead, 100)
        XCTAssertGreaterThan(edgeSub, 50)
    }

    func testDimuonPtPeaksAtAFewGeVWithAPowerLawTail() throws {
        let ptll = try Fixture.dy.quantity("ptll")
        XCTAssertLessThan(Stats.mode(ptll, lo: 0, hi: 100, bins: 50), 10)
        let tail = Stats.fraction(ptll) { $0 > 50 }
        XCTAssertGreaterThan(tail, 0.008)
        XCTAssertLessThan(tail, 0.08)
        XCTAssertGreaterThan(Stats.fraction(ptll) { $0 > 100 }, 0.001)
    }

    func testDimuonRapidityIsBroad() {
        let t = Fixture.dy
        var y = [Double]()
        for r in 0..<t.rows {
            let e = Double(t[r, 0]) + Double(t[r, 4]), pz = Double(t[r, 3]) + Double(t[r, 7])
            y.append(0.5 * log((e + pz) / (e - pz)))
        }
        XCTAssertEqual(Stats.mean(y), 0, accuracy: 0.05)
        let sd = Stats.variance(y).squareRoot()
        XCTAssertGreaterThan(sd, 0.8)
        XCTAssertGreaterThan(Stats.fraction(y) { Swift.abs($0) > 1.5 }, 0.1)
    }
}
