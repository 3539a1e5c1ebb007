import Foundation
import Metrics
import Support

/// What KS a perfect generator would still score, so a KS can be read against it:
/// - the floor: the KS between two disjoint random halves of the real rows, rescaled to the sizes
///   compared. Under the null the KS statistic scales like sqrt((n + m) / (n·m)), so the halves'
///   KS (sizes ⌊n_r/2⌋ and ⌈n_r/2⌉) is multiplied by
///   sqrt((n_real + n_gen) / (n_real·n_gen)) / sqrt((h1 + h2) / (h1·h2));
/// - the critical value: the asymptotic two-sample KS value at p = 0.05 for (n_real, n_gen),
///   c(α)·sqrt((n + m) / (n·m)) with c(α) = sqrt(−ln(α/2) / 2) = 1.3581 (the Kolmogorov limit;
///   not the exact lattice value, which differs by under 1 % above a few hundred rows).
/// The halves come from one permutation of the real rows drawn from a fixed Philox stream, shared by
/// every column and derived quantity, so the floor is deterministic and independent of the rank count.
public struct NoiseFloor {
    /// The fixed seed of the halves' permutation ("FLOR").
    public static let seed: UInt64 = 0x464C_4F52
    public static let alpha = 0.05
    /// c(α) = sqrt(−ln(α/2) / 2), the asymptotic two-sided two-sample KS coefficient (1.3581 at α = 0.05).
    public static var coefficient: Double { (-Foundation.log(alpha / 2) / 2).squareRoot() }

    /// Real row indices of the two halves (first: ⌊n/2⌋ rows, second: the rest), each ascending.
    public let first: [Int]
    public let second: [Int]
    public let realRows: Int
    public let generatedRows: Int

    public init(realRows: Int, generatedRows: Int, seed: UInt64 = NoiseFloor.seed) {
        var order = Array(0..<realRows)
        var rng = Philox(seed: seed, stream: 0, substream: 0x464C_4F52)
        ClassifierTwoSample.shuffle(&order, &rng)
        first = order[..<(realRows / 2)].sorted()
        second = order[(realRows / 2)...].sorted()
        self.realRows = realRows
        self.generatedRows = generatedRows
    }

    /// sqrt((n + m) / (n·m)): how a two-sample KS under the null scales with the sample sizes.
    public static func scale(_ n: Int, _ m: Int) -> Double {
        (Double(n + m) / (Double(n) * Double(m))).squareRoot()
    }

    /// The asymptotic critical KS value at p = `alpha` for samples of sizes n and m.
    public static func critical(_ n: Int, _ m: Int) -> Double { coefficient * scale(n, m) }

    /// The critical value for the sizes compared.
    public var critical: Double { NoiseFloor.critical(realRows, generatedRows) }

    /// The floor of one quantity from its real values (one per real row): NaN with fewer than 2
    /// real rows or a NaN value (as the KS itself).
    public func floor(_ real: [Double]) -> Double {
        precondition(real.count == realRows, "one value per real row")
        guard !first.isEmpty, !second.isEmpty, !real.contains(where: \.isNaN) else { return .nan }
        let a = first.map { real[$0] }.sorted(), b = second.map { real[$0] }.sorted()
        let halves = KolmogorovSmirnov.statistic(sortedA: a, sortedB: b)
        return halves * NoiseFloor.scale(realRows, generatedRows) / NoiseFloor.scale(a.count, b.count)
    }

    /// "below" when the KS is within the floor, else the ratio KS / floor ("3.1×"); "inf×" over a
    /// zero floor (a constant real quantity), "nan" when either is NaN.
    public static func marker(ks: Double, floor: Double) -> String {
        if ks.isNaN || floor.isNaN { return "nan" }
        if ks <= floor { return "below" }
        return floor > 0 ? String(format: "%.1f×", ks / floor) : "inf×"
    }
}
