import Foundation

/// The amplification factor of "GANplification" (arXiv:2008.06545): the real-sample size N′ whose
/// real-only AUC equals the augmented classifier's AUC, divided by the N real events the
/// augmented classifier (and its generator) saw. > 1: the generated events are worth more than
/// nothing; < 1: they cost real information.
public enum Amplification: Equatable {
    /// N′/N, N′ interpolated on the real-only curve.
    case factor(Double)
    /// The AUC is below the curve's smallest N: N′/N < bound.
    case below(Double)
    /// The AUC is above the curve's largest N: N′/N > bound.
    case above(Double)

    /// `sizes` ascending with their real-only mean AUCs. The curve is first made non-decreasing
    /// (running maximum: more real events cannot make the best classifier worse, a dip is noise),
    /// then N′ is the smallest size reaching `auc`, linear in log N between grid points.
    public static func of(auc: Double, sizes: [Int], aucs: [Double], n: Int) -> Amplification {
        precondition(sizes.count == aucs.count && !sizes.isEmpty, "one AUC per size")
        var envelope = aucs
        for i in 1..<max(1, envelope.count) { envelope[i] = max(envelope[i], envelope[i - 1]) }
        let ratio = { (size: Double) in size / Double(n) }
        if auc < envelope[0] { return .below(ratio(Double(sizes[0]))) }
        guard let i = envelope.firstIndex(where: { $0 >= auc }) else { return .above(ratio(Double(sizes.last!))) }
        if envelope[i] == auc { return .factor(ratio(Double(sizes[i]))) }
        let t = (auc - envelope[i - 1]) / (envelope[i] - envelope[i - 1])
        let logN = log(Double(sizes[i - 1])) + t * (log(Double(sizes[i])) - log(Double(sizes[i - 1])))
        return .factor(ratio(exp(logN)))
    }

    /// The factor, or nil outside the curve.
    public var value: Double? { if case .factor(let x) = self { return x }; return nil }

    /// "< 0.25" / "> 16" for a factor outside the curve, nil inside.
    public var outside: String? {
        switch self {
        case .factor: return nil
        case .below(let b): return "< " + String(format: "%.3g", b)
        case .above(let b): return "> " + String(format: "%.3g", b)
        }
    }
}
