import Foundation
import XCTest
@testable import Physics
@testable import Support

final class SamplingTests: XCTestCase {
    func testDecayAngleSamplerFollowsOnePlusCosSquared() {
        XCTAssertEqual(Sampling.cosThetaOnePlusCosSquared(0), -1, accuracy: 1e-12)
        XCTAssertEqual(Sampling.cosThetaOnePlusCosSquared(0.5), 0, accuracy: 1e-12)
        XCTAssertEqual(Sampling.cosThetaOnePlusCosSquared(1), 1, accuracy: 1e-12)
        // Inverse of F(c) = (c³/3 + c + 4/3)·3/8 on a grid, and the moments of 1 + cos²θ:
        // ⟨cos²θ⟩ = 2/5 (a flat distribution would give 1/3), ⟨cos⁴θ⟩ = 9/35.
        let n = 100_000
        var c2 = 0.0, c4 = 0.0, previous = -1.0
        for k in 0..<n {
            let u = (Double(k) + 0.5) / Double(n)
            let c = Sampling.cosThetaOnePlusCosSquared(u)
            XCTAssertGreaterThan(c, previous)
            previous = c
            if k % 997 == 0 { XCTAssertEqual((c * c * c / 3 + c + 4.0 / 3) * 3 / 8, u, accuracy: 1e-12) }
            c2 += c * c
            c4 += c * c * c * c
        }
        XCTAssertEqual(c2 / Double(n), 0.4, accuracy: 1e-4)
        XCTAssertEqual(c4 / Double(n), 9.0 / 35, accuracy: 1e-4)
    }

    func testDecayInZRestFrameAndBoostToLab() {
        let g = EventGenerator(process: .dy, seed: 3)
        var rng = Philox(seed: 3, stream: 0)
        let m = 91.19
        let atRest = Momentum(e: m, px: 0, py: 0, pz: 0)
        var c2 = 0.0
        let n = 20_000
        for _ in 0..<n {
            let (a, b) = g.decay(atRest, mass: m, &rng)
            XCTAssertEqual(a.e, m / 2, accuracy: 1e-9)
            XCTAssertEqual(a.px + b.px, 0, accuracy: 1e-9)
            let p = (a.px * a.px + a.py * a.py + a.pz * a.pz).squareRoot()
            c2 += a.pz * a.pz / (p * p)
        }
        XCTAssertEqual(c2 / Double(n), 0.4, accuracy: 0.01)
        // A moving Z: the daughters' sum is the Z and their invariant mass is m.
        let pz = 300.0, px = 40.0, py = -25.0
        let z = Momentum(e: (m * m + pz * pz + px * px + py * py).squareRoot(), px: px, py: py, pz: pz)
        for _ in 0..<100 {
            let (a, b) = g.decay(z, mass: m, &rng)
            let s = a + b
            XCTAssertEqual(s.e, z.e, accuracy: 1e-9)
            XCTAssertEqual(s.px, px, accuracy: 1e-9)
            XCTAssertEqual(s.pz, pz, accuracy: 1e-9)
            XCTAssertEqual(s.mass, m, accuracy: 1e-7)
            XCTAssertEqual(a.mass, Momentum.muonMass, accuracy: 1e-5)
        }
    }

    func testMassSamplers() {
        let model = ProcessModel(.dy)
        XCTAssertEqual(Sampling.breitWignerMass(0, model), 60, accuracy: 1e-9)
        XCTAssertEqual(Sampling.breitWignerMass(1, model), 120, accuracy: 1e-9)
        XCTAssertEqual(Sampling.continuumMass(0), 60, accuracy: 1e-12)
        XCTAssertEqual(Sampling.continuumMass(1), 120, accuracy: 1e-12)
        // ∝ 1/m² on [60, 120]: half the probability lies below 80 GeV.
        XCTAssertEqual(Sampling.continuumMass(0.5), 80, accuracy: 1e-9)
        // Breit–Wigner: half-maximum points at m² = M² ± MΓ, i.e. quartiles of the Cauchy in θ.
        let lo = model.bwThetaLow, span = model.bwThetaSpan
        let median = Sampling.breitWignerMass(-lo / span, model)
        XCTAssertEqual(median, 91.19, accuracy: 1e-9)
        let upper = Sampling.breitWignerMass((Double.pi / 4 - lo) / span, model)
        XCTAssertEqual(upper * upper, 91.19 * 91.19 + 91.19 * 2.5, accuracy: 1e-6)
    }

    func testPowerLawPtSampler() {
        let s = PowerLawPt(p0: 7, n: 2, max: 600)
        XCTAssertEqual(s.mode, 7 / 3.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(s.sample(0), 0, accuracy: 1e-12)
        XCTAssertEqual(s.sample(1), 600, accuracy: 1e-6)
        // F(pT) = 1 − 1/(1 + pT²/p0²) for n = 2 (up to the truncation): the median is p0.
        XCTAssertEqual(s.sample(0.5 / s.cdfAtMax), 7, accuracy: 1e-9)
        let tail = ParetoPt(minimum: 10, index: 2, maximum: 1000)
        XCTAssertEqual(tail.sample(1), 10, accuracy: 1e-12)
        XCTAssertEqual(tail.sample(0), 1000, accuracy: 1e-9)
    }

    func testSoftSumAndLeadingJets() {
        var rng = Philox(seed: 8, stream: 1)
        XCTAssertEqual(Sampling.softSum(0, threshold: 0.5, scale: 0.8, &rng), 0)
        var total = 0.0
        for _ in 0..<20_000 { total += Sampling.softSum(3, threshold: 0.5, scale: 0.8, &rng) }
        XCTAssertEqual(total / 20_000, 3 * (0.5 + 0.8), accuracy: 0.03)
        XCTAssertGreaterThan(Sampling.softSum(400, threshold: 0, scale: 1, &rng), 300)

        var jets = LeadingJets()
        for v: Float in [3, 50, 20, 70, 1, 20, 90, 5] { jets.insert(v) }
        XCTAssertEqual([jets.pt.0, jets.pt.1, jets.pt.2, jets.pt.3, jets.pt.4], [90, 70, 50, 20, 20])
    }

    func testMuonSmearingKeepsTheMassShell() {
        let mu = Momentum(e: 0, px: 30, py: 40, pz: 120)
        let s = mu.scaled(by: 1.02, mass: Momentum.muonMass)
        XCTAssertEqual(s.pt, 51, accuracy: 1e-12)
        XCTAssertEqual(s.e * s.e - s.pt * s.pt - s.pz * s.pz, Momentum.muonMass * Momentum.muonMass, accuracy: 1e-9)
        let det = DetectorModel()
        XCTAssertEqual(det.muonRelativeResolution(40), 0.0108, accuracy: 0.0005)
        XCTAssertGreaterThan(det.muonRelativeResolution(200), 0.02)
    }
}
