import Foundation
import Support

/// The one detector shared by every process: muon and jet resolution, pileup, isolation and
/// missing-transverse-momentum resolution. All constants are precomputed once per generator.
struct DetectorModel: Sendable {
    // Muons: σ(pT)/pT = sqrt(a² + (b·pT)²), about 1 % at 40 GeV growing to 2 % near 170 GeV.
    let muonResolutionConstant = 0.010
    let muonResolutionSlope = 1.0e-4
    // Acceptance.
    let leadingPtMin = 20.0
    let subleadingPtMin = 10.0
    /// |η| < 2.4 ⇔ |pz| < pT·sinh(2.4).
    let maxPzOverPt = Foundation.sinh(2.4)
    // Pileup.
    let meanVertices = 20.0
    // Jets: σ(pT) = sqrt(N² + S²·pT + (C·pT)²); only measured pT > 15 GeV is kept.
    let jetNoise = 3.0
    let jetStochastic = 0.8
    let jetConstant = 0.05
    let jetPtMin: Float = 15
    /// Extra ISR jets beyond the one balancing the recoil: P(≥ 1), P(2).
    let extraJetProbability = 0.35
    let secondExtraJetProbability = 0.10
    let extraJetPt = ParetoPt(minimum: 10, index: 2)
    /// Soft unclustered recoil (per transverse component) and the calorimeter response to it.
    let unclusteredSigma = 4.0
    let unclusteredResponse = 0.7
    /// Pileup jets: Poisson(rate·nvtx) of them with a steep spectrum above 8 GeV.
    let pileupJetsPerVertex = 0.05
    let pileupJetPt = ParetoPt(minimum: 8, index: 3, maximum: 400)
    // Missing transverse momentum resolution per component: sqrt(a² + b²·nvtx).
    let metResolutionConstant = 6.0
    let metResolutionPerVertex = 2.5
    // Isolation cone: Poisson(base + rate·nvtx) soft particles of pT threshold + Exp(scale).
    let isoBaseParticles = 0.3
    let isoParticlesPerVertex = 0.08
    let isoParticleThreshold = 0.5
    let isoParticleScale = 0.8

    @inline(__always)
    func muonRelativeResolution(_ pt: Double) -> Double {
        let b = muonResolutionSlope * pt
        return (muonResolutionConstant * muonResolutionConstant + b * b).squareRoot()
    }

    @inline(__always)
    func jetResolution(_ pt: Double) -> Double {
        let c = jetConstant * pt
        return (jetNoise * jetNoise + jetStochastic * jetStochastic * pt + c * c).squareRoot()
    }

    @inline(__always)
    func metResolution(vertices: Int) -> Double {
        (metResolutionConstant * metResolutionConstant
            + metResolutionPerVertex * metResolutionPerVertex * Double(vertices)).squareRoot()
    }
}

/// The five leading jet pTs of an event, descending, zero-padded (no allocation).
struct LeadingJets {
    var pt: (Float, Float, Float, Float, Float) = (0, 0, 0, 0, 0)

    @inline(__always)
    mutating func insert(_ value: Float) {
        guard value > pt.4 else { return }
        if value <= pt.3 { pt.4 = value; return }
        pt.4 = pt.3
        if value <= pt.2 { pt.3 = value; return }
        pt.3 = pt.2
        if value <= pt.1 { pt.2 = value; return }
        pt.2 = pt.1
        if value <= pt.0 { pt.1 = value; return }
        pt.1 = pt.0
        pt.0 = value
    }
}
