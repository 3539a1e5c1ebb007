import Foundation

extension Reweighter {
    /// Mean binary cross-entropy of the labels under σ(scale·z + offset).
    static func crossEntropy(_ z: [Double], labels: [Bool], scale: Double, offset: Double) -> Double {
        var sum = 0.0
        for (v, y) in zip(z, labels) {
            let t = scale * v + offset
            // −log σ(t) = softplus(−t), −log(1 − σ(t)) = softplus(t)
            let u = y ? -t : t
            sum += max(u, 0) + log1p(exp(-abs(u)))
        }
        return sum / Double(max(z.count, 1))
    }

    /// Platt scaling: the (scale, offset) minimising the mean cross-entropy of σ(scale·z + offset)
    /// against the labels, by Newton's method on the two parameters (a convex problem) from (1, 0),
    /// halving a step until the loss does not rise. Deterministic; 50 iterations at most.
    static func plattFit(_ z: [Double], labels: [Bool]) -> (scale: Double, offset: Double) {
        var a = 1.0, b = 0.0
        var loss = crossEntropy(z, labels: labels, scale: a, offset: b)
        for _ in 0..<50 {
            var ga = 0.0, gb = 0.0, haa = 0.0, hab = 0.0, hbb = 0.0
            for (v, y) in zip(z, labels) {
                let p = 1 / (1 + exp(-(a * v + b)))
                let r = p - (y ? 1 : 0), h = p * (1 - p)
                ga += r * v; gb += r
                haa += h * v * v; hab += h * v; hbb += h
            }
            let det = haa * hbb - hab * hab
            guard det > 0, det.isFinite else { break }
            var da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det
            var accepted = false
            for _ in 0..<30 {
                let next = crossEntropy(z, labels: labels, scale: a - da, offset: b - db)
                if next <= loss { a -= da; b -= db; accepted = loss - next > 1e-12; loss = next; break }
                da /= 2; db /= 2
            }
            if !accepted { break }
        }
        return (a, b)
    }

    /// The effective sample size per event, (Σw)²/(n·Σw²), of the weights clipped(t·z) (clip `maximumWeight`).
    static func essFraction(_ z: [Double], tempering t: Double, maximumWeight: Double) -> Double {
        var sum = 0.0, squares = 0.0
        for v in z {
            let w = clipped(t * v, maximum: maximumWeight)
            sum += w
            squares += w * w
        }
        return squares > 0 ? sum * sum / squares / Double(z.count) : 1
    }

    /// The tempering exponent for an ESS target: 1 if the weights clipped(z) reach `minimumESS`, else the
    /// largest t in (0, 1) whose clipped(t·z) do, by 50 bisections (the ESS falls as t grows: log ESS(t)
    /// = 2K(t) − K(2t) with K the convex cumulant function of z, before clipping). Deterministic.
    static func tempering(_ z: [Double], minimumESS: Double, maximumWeight: Double) -> Double {
        guard minimumESS > 0, !z.isEmpty, essFraction(z, tempering: 1, maximumWeight: maximumWeight) < minimumESS else { return 1 }
        var low = 0.0, high = 1.0
        for _ in 0..<50 {
            let mid = (low + high) / 2
            if essFraction(z, tempering: mid, maximumWeight: maximumWeight) >= minimumESS { low = mid } else { high = mid }
        }
        return low
    }
}
