import Foundation
import Support

/// The hard process of one attempt after muon measurement: muons ordered by measured pT, and
/// the transverse momenta of the hadronic recoil and of the invisible system (truth).
struct Dimuon {
    var leading: Momentum
    var subleading: Momentum
    var recoilX: Double
    var recoilY: Double
    var invisibleX: Double
    var invisibleY: Double
}

extension EventGenerator {
    /// One production attempt; nil when the measured muons fail the acceptance cuts.
    @inline(__always)
    func attemptDimuon(_ rng: inout Philox) -> Dimuon? {
        let z = produceZ(&rng)
        var (a, b) = decay(z.momentum, mass: z.mass, &rng)
        let (na, nb) = Sampling.normalPair(&rng)
        a = smear(a, na)
        b = smear(b, nb)
        let ptA = a.pt, ptB = b.pt
        let (lead, sub, ptLead, ptSub) = ptA >= ptB ? (a, b, ptA, ptB) : (b, a, ptB, ptA)
        guard ptLead > detector.leadingPtMin, ptSub > detector.subleadingPtMin,
              Swift.abs(lead.pz) < ptLead * detector.maxPzOverPt,
              Swift.abs(sub.pz) < ptSub * detector.maxPzOverPt else { return nil }

        // The hard system's pT is balanced by the hadronic recoil; whatever of it the dimuon
        // does not carry is invisible (zero for Drell–Yan).
        var systemX = z.momentum.px, systemY = z.momentum.py
        if let kick = model.systemKick {
            let k = kick.sample(Sampling.uniform(&rng))
            let phi = 2 * Double.pi * Sampling.uniform(&rng)
            systemX = k * Foundation.cos(phi)
            systemY = k * Foundation.sin(phi)
        }
        return Dimuon(leading: lead, subleading: sub, recoilX: -systemX, recoilY: -systemY,
                      invisibleX: systemX - z.momentum.px, invisibleY: systemY - z.momentum.py)
    }

    /// Z/γ* mass, pT, azimuth and rapidity → lab four-momentum.
    @inline(__always)
    func produceZ(_ rng: inout Philox) -> (momentum: Momentum, mass: Double) {
        let m: Double
        if model.gammaStarFraction > 0 && Sampling.uniform(&rng) < model.gammaStarFraction {
            m = Sampling.continuumMass(Sampling.uniform(&rng))
        } else {
            m = Sampling.breitWignerMass(Sampling.uniform(&rng), model)
        }
        let pt = model.dimuonPt.sample(Sampling.uniform(&rng))
        let phi = 2 * Double.pi * Sampling.uniform(&rng)
        let (n, _) = Sampling.normalPair(&rng)
        let ey = Foundation.exp(model.rapiditySigma * n)
        let mt = (m * m + pt * pt).squareRoot()
        let momentum = Momentum(e: 0.5 * mt * (ey + 1 / ey), px: pt * Foundation.cos(phi),
                                py: pt * Foundation.sin(phi), pz: 0.5 * mt * (ey - 1 / ey))
        return (momentum, m)
    }

    /// Two-body decay with (1 + cos²θ) polar distribution about the beam axis in the Z rest
    /// frame (the Collins–Soper axis for a Z at rest in pT), boosted to the lab.
    @inline(__always)
    func decay(_ z: Momentum, mass m: Double, _ rng: inout Philox) -> (Momentum, Momentum) {
        let c = Sampling.cosThetaOnePlusCosSquared(Sampling.uniform(&rng))
        let s = Swift.max(0, 1 - c * c).squareRoot()
        let phi = 2 * Double.pi * Sampling.uniform(&rng)
        let half = 0.5 * m
        let p = Swift.max(0, half * half - Momentum.muonMass * Momentum.muonMass).squareRoot()
        let x = p * s * Foundation.cos(phi), y = p * s * Foundation.sin(phi), zc = p * c
        let a = Momentum(e: half, px: x, py: y, pz: zc)
        let b = Momentum(e: half, px: -x, py: -y, pz: -zc)
        return (a.boosted(to: z, parentMass: m), b.boosted(to: z, parentMass: m))
    }

    /// Muon momentum measurement: the 3-momentum scaled by 1 + σ(pT)·n, n a standard normal.
    @inline(__always)
    func smear(_ mu: Momentum, _ n: Double) -> Momentum {
        let sigma = detector.muonRelativeResolution(mu.pt)
        return mu.scaled(by: 1 + sigma * n, mass: Momentum.muonMass)
    }
}
