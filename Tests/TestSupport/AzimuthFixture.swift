import Foundation

/// A fixed muon-pair event (mu1 E px py pz, mu2 E px py pz, met px py) and copies of it turned about
/// the beam axis: the fixture of the azimuth-invariance tests of evaluate's classifier inputs and
/// the reweighter's features, which must see the same event at any azimuth.
public enum AzimuthFixture {
    public static let columns = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz",
                                 "met_px", "met_py"]
    public static let event: [Float] = [50, 30, -10, 20, 40, -25, 15, 10, 7, -3]

    /// `event` with every (px, py) pair rotated by `angle` (radians), computed in Double.
    public static func rotated(_ angle: Double) -> [Float] {
        var e = event
        for (x, y) in [(1, 2), (5, 6), (8, 9)] {
            let px = Double(event[x]), py = Double(event[y])
            e[x] = Float(px * cos(angle) - py * sin(angle))
            e[y] = Float(px * sin(angle) + py * cos(angle))
        }
        return e
    }

    /// Three rows: the event, then turned by 1.1 and by −2.7 radians.
    public static var rows: [Float] { event + rotated(1.1) + rotated(-2.7) }
}
