import Foundation
import Support

/// The built-in 13 TeV processes of the embedded event generator.
public enum PhysicsProcess: String, CaseIterable, Sendable {
    /// Drell–Yan Z/γ* → μμ with 60 < m(μμ) < 120 GeV.
    case dy = "dy"
    /// Z(→μμ) H(→invisible): the dimuon recoils against real missing transverse momentum.
    case zhInv = "zh-inv"
}

/// The process-dependent knobs of the generator, with every per-event constant precomputed.
struct ProcessModel: Sendable {
    static let zMass = 91.19
    static let zWidth = 2.50
    static let massLow = 60.0
    static let massHigh = 120.0

    /// Probability that an event is drawn from the falling γ* continuum (∝ 1/m²) instead of the Z peak.
    let gammaStarFraction: Double
    /// Breit–Wigner in m²: m² = M² + MΓ·tan(θ), θ uniform in [thetaLow, thetaLow + thetaSpan].
    let bwThetaLow: Double
    let bwThetaSpan: Double
    /// Dimuon-system pT spectrum p(pT) ∝ pT (1 + pT²/p0²)^(−n), truncated at `max`.
    let dimuonPt: PowerLawPt
    /// pT of the whole hard system (the hadronic recoil) when it differs from the dimuon pT
    /// (zh-inv: the ZH system's ISR kick); nil when the dimuon system is the whole hard system.
    let systemKick: PowerLawPt?
    /// Width of the Gaussian rapidity distribution of the dimuon system.
    let rapiditySigma: Double

    init(_ process: PhysicsProcess) {
        let m2 = ProcessModel.zMass * ProcessModel.zMass, mg = ProcessModel.zMass * ProcessModel.zWidth
        let lo = Foundation.atan((ProcessModel.massLow * ProcessModel.massLow - m2) / mg)
        let hi = Foundation.atan((ProcessModel.massHigh * ProcessModel.massHigh - m2) / mg)
        bwThetaLow = lo
        bwThetaSpan = hi - lo
        switch process {
        case .dy:
            gammaStarFraction = 0.08
            dimuonPt = PowerLawPt(p0: 7, n: 2, max: 600)
            systemKick = nil
            rapiditySigma = 1.9
        case .zhInv:
            gammaStarFraction = 0
            dimuonPt = PowerLawPt(p0: 90, n: 3, max: 1000)
            systemKick = PowerLawPt(p0: 7, n: 2, max: 300)
            rapiditySigma = 1.3
        }
    }
}

/// Inverse-CDF sampler of p(pT) ∝ pT (1 + pT²/p0²)^(−n) on [0, max], n > 1: with x = pT²,
/// F(x) = 1 − (1 + x/p0²)^(1−n), so x = p0²((1 − u·F(max))^(1/(1−n)) − 1).
struct PowerLawPt: Sendable {
    let p0Squared: Double
    let exponent: Double
    let cdfAtMax: Double

    init(p0: Double, n: Double, max: Double) {
        precondition(n > 1 && p0 > 0 && max > 0, "power-law pT needs n > 1, p0 > 0, max > 0")
        p0Squared = p0 * p0
        exponent = 1 / (1 - n)
        cdfAtMax = 1 - Foundation.pow(1 + max * max / (p0 * p0), 1 - n)
    }

    /// The most probable pT, p0/sqrt(2n − 1).
    var mode: Double { (p0Squared / (2 / -exponent + 1)).squareRoot() }

    @inline(__always)
    func sample(_ u: Double) -> Double {
        let x = p0Squared * (Foundation.pow(1 - u * cdfAtMax, exponent) - 1)
        return x > 0 ? x.squareRoot() : 0
    }
}
