import Foundation
import Support

/// Standard normals drawn in Box–Muller pairs, the partner kept for the next call.
struct NormalSource {
    private var spare = 0.0
    private var hasSpare = false

    @inline(__always)
    mutating func next(_ rng: inout Philox) -> Double {
        if hasSpare { hasSpare = false; return spare }
        let (a, b) = Sampling.normalPair(&rng)
        spare = b
        hasSpare = true
        return a
    }
}

extension EventGenerator {
    /// Pileup, hadronic recoil and pileup jets, missing transverse momentum and muon isolation
    /// for an accepted dimuon; writes the event's 18 columns to `row`.
    @inline(__always)
    func simulateDetector(_ d: Dimuon, _ rng: inout Philox, into row: UnsafeMutablePointer<Float>) {
        let det = detector
        var normals = NormalSource()
        let nvtx = rng.poisson(det.meanVertices)
        var jets = LeadingJets()

        // Measured visible transverse momentum, starting with the muons.
        var visibleX = d.leading.px + d.subleading.px
        var visibleY = d.leading.py + d.subleading.py

        // Hadronic recoil = unclustered soft radiation + extra ISR jets + the jet balancing the rest.
        let ux = det.unclusteredSigma * normals.next(&rng), uy = det.unclusteredSigma * normals.next(&rng)
        visibleX += det.unclusteredResponse * ux
        visibleY += det.unclusteredResponse * uy
        var restX = d.recoilX - ux, restY = d.recoilY - uy
        let u = Sampling.uniform(&rng)
        let extraJets = u < det.secondExtraJetProbability ? 2 : (u < det.extraJetProbability ? 1 : 0)
        for _ in 0..<extraJets {
            let pt = det.extraJetPt.sample(Sampling.uniform(&rng))
            let phi = 2 * Double.pi * Sampling.uniform(&rng)
            let jx = pt * Foundation.cos(phi), jy = pt * Foundation.sin(phi)
            restX -= jx
            restY -= jy
            let f = jetResponse(pt, normals.next(&rng))
            visibleX += f * jx
            visibleY += f * jy
            jets.insert(Float(f * pt))
        }
        let restPt = (restX * restX + restY * restY).squareRoot()
        let f = jetResponse(restPt, normals.next(&rng))
        visibleX += f * restX
        visibleY += f * restY
        jets.insert(Float(f * restPt))

        // Pileup jets (balanced within their own interactions, so absorbed in the MET resolution).
        let pileupJets = rng.poisson(det.pileupJetsPerVertex * Double(nvtx))
        for _ in 0..<pileupJets {
            let pt = det.pileupJetPt.sample(Sampling.uniform(&rng))
            jets.insert(Float(jetResponse(pt, normals.next(&rng)) * pt))
        }

        // Missing transverse momentum: minus the measured visible sum, plus pileup-driven resolution.
        let sigma = det.metResolution(vertices: nvtx)
        let metX = -visibleX + sigma * normals.next(&rng)
        let metY = -visibleY + sigma * normals.next(&rng)

        // Relative isolation from a Poisson number of pileup/underlying-event particles in the cone.
        let lambda = det.isoBaseParticles + det.isoParticlesPerVertex * Double(nvtx)
        let cone1 = Sampling.softSum(rng.poisson(lambda), threshold: det.isoParticleThreshold,
                                     scale: det.isoParticleScale, &rng)
        let cone2 = Sampling.softSum(rng.poisson(lambda), threshold: det.isoParticleThreshold,
                                     scale: det.isoParticleScale, &rng)

        let a = d.leading, b = d.subleading
        row[0] = Float(a.e); row[1] = Float(a.px); row[2] = Float(a.py); row[3] = Float(a.pz)
        row[4] = Float(b.e); row[5] = Float(b.px); row[6] = Float(b.py); row[7] = Float(b.pz)
        row[8] = Float(nvtx)
        row[9] = Float(metX); row[10] = Float(metY)
        row[11] = Float(cone1 / a.pt); row[12] = Float(cone2 / b.pt)
        let cut = det.jetPtMin
        row[13] = jets.pt.0 > cut ? jets.pt.0 : 0
        row[14] = jets.pt.1 > cut ? jets.pt.1 : 0
        row[15] = jets.pt.2 > cut ? jets.pt.2 : 0
        row[16] = jets.pt.3 > cut ? jets.pt.3 : 0
        row[17] = jets.pt.4 > cut ? jets.pt.4 : 0
    }

    /// Measured/true pT ratio of a jet of true `pt`: Gaussian resolution, clamped at zero.
    @inline(__always)
    func jetResponse(_ pt: Double, _ n: Double) -> Double {
        guard pt > 0 else { return 0 }
        return Swift.max(0, pt + detector.jetResolution(pt) * n) / pt
    }
}
