import EventStore
import Foundation
import XCTest
@testable import Physics
@testable import Support

final class ZHInvisibleTests: XCTestCase {
    func testMissingMomentumBalancesTheDimuon() throws {
        let t = Fixture.zh
        let met = try t.quantity("met"), ptll = try t.quantity("ptll")
        XCTAssertGreaterThan(Stats.correlation(met, ptll), 0.5)
        // Anti-aligned in azimuth: φ_miss ≈ φ(ll) + π.
        let phiMiss = try t.quantity("phi_miss")
        var cosine = 0.0
        for r in 0..<t.rows {
            let phiLL = atan2(Double(t[r, 2] + t[r, 6]), Double(t[r, 1] + t[r, 5]))
            cosine += cos(phiMiss[r] - phiLL)
        }
        XCTAssertLessThan(cosine / Double(t.rows), -0.8)
        // Drell–Yan has no such correlation.
        XCTAssertLessThan(Stats.correlation(try Fixture.dy.quantity("met"), try Fixture.dy.quantity("ptll")), 0.5)
    }

    func testHarderDimuonSpectrumAndRealMissingMomentum() throws {
        let ptll = try Fixture.zh.quantity("ptll")
        let mode = Stats.mode(ptll, lo: 0, hi: 300, bins: 30)
        XCTAssertGreaterThan(mode, 20)
        XCTAssertLessThan(mode, 80)
        XCTAssertGreaterThan(Stats.median(try Fixture.zh.quantity("met")), 40)
        let mll = try Fixture.zh.quantity("mll")
        XCTAssertEqual(Stats.median(mll), 91.2, accuracy: 0.5)
    }
}
