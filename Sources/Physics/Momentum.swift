import Foundation
import Support

/// A four-momentum (GeV), the generator's working value type.
struct Momentum: Sendable, Equatable {
    static let muonMass = 0.105_658_375_5

    var e: Double
    var px: Double
    var py: Double
    var pz: Double

    @inline(__always)
    var pt: Double { (px * px + py * py).squareRoot() }

    @inline(__always)
    var mass: Double {
        let m2 = e * e - px * px - py * py - pz * pz
        return m2 > 0 ? m2.squareRoot() : 0
    }

    @inline(__always)
    static func + (a: Momentum, b: Momentum) -> Momentum {
        Momentum(e: a.e + b.e, px: a.px + b.px, py: a.py + b.py, pz: a.pz + b.pz)
    }

    /// This momentum, given in the rest frame of `parent` (mass `parentMass`), in the frame
    /// where the parent has four-momentum `parent`.
    @inline(__always)
    func boosted(to parent: Momentum, parentMass m: Double) -> Momentum {
        let dot = parent.px * px + parent.py * py + parent.pz * pz
        let energy = (parent.e * e + dot) / m
        let f = (e + energy) / (parent.e + m)
        return Momentum(e: energy, px: px + f * parent.px, py: py + f * parent.py, pz: pz + f * parent.pz)
    }

    /// The 3-momentum scaled by `factor`, energy recomputed for `mass`.
    @inline(__always)
    func scaled(by factor: Double, mass: Double) -> Momentum {
        let x = px * factor, y = py * factor, z = pz * factor
        return Momentum(e: (x * x + y * y + z * z + mass * mass).squareRoot(), px: x, py: y, pz: z)
    }
}
