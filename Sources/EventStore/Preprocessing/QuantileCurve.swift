import Support

/// One column's CDF F as the quantile step uses it, built from the fitted knots and the tie rule.
///
/// - `spread`: F interpolates the knots on the uniform grid u = i/(K−1). A run of equal knots (a
///   spike) is flat in F⁻¹: a spike value goes to a random u inside the run, and every u there
///   comes back as exactly that value.
/// - `midpoint`: every run of equal knots is replaced by one point at the run's centre, so F is a
///   strictly increasing piecewise-linear map through (u, x) points, extended linearly beyond the
///   end points: a bijection with no flat part. A spike value goes to its run's centre and comes
///   back within float32 rounding of y (the zero calibration snaps it), and a network output
///   between a spike and the continuum keeps its order, so the calibration can move the spike's
///   edge either way — a flat F⁻¹ would turn an excess of generated mass below the edge into exact
///   zeros no threshold can undo.
struct QuantileCurve: Sendable {
    let ties: QuantileTransform.Ties
    let knots: [Double]
    /// `midpoint`: the points (u ascending, x strictly ascending); empty for `spread`.
    let u: [Double], x: [Double]

    init(knots: [Double], ties: QuantileTransform.Ties) {
        self.ties = ties
        self.knots = knots
        guard ties == .midpoint else { (u, x) = ([], []); return }
        let last = Double(knots.count - 1)
        var us: [Double] = [], xs: [Double] = []
        var i = 0
        while i < knots.count {
            var j = i
            while j + 1 < knots.count && knots[j + 1] == knots[i] { j += 1 }
            us.append(Double(i + j) / 2 / last)
            xs.append(knots[i])
            i = j + 1
        }
        if us.count == 1 { us.append(us[0] + 1); xs.append(xs[0]) }   // a constant column stays constant
        (u, x) = (us, xs)
    }

    /// F(x) in [δ, 1 − δ].
    func cdf(_ value: Double, _ generator: inout Philox) -> Double {
        let v = ties == .spread ? spreadCDF(value, &generator) : midpointCDF(value)
        return min(max(v, QuantileTransform.margin), 1 - QuantileTransform.margin)
    }

    /// F⁻¹(v) and dF⁻¹/du there.
    func quantile(_ v: Double) -> (x: Double, slope: Double) {
        guard ties == .midpoint else {
            let slope = Self.gridSegment(v, count: knots.count).map {
                (knots[$0.index + 1] - knots[$0.index]) * Double(knots.count - 1)
            } ?? 0
            return (spreadQuantile(v), slope)
        }
        let i = Self.segment(u, v)
        let slope = x[i + 1] == x[i] ? 0 : (x[i + 1] - x[i]) / (u[i + 1] - u[i])
        return (x[i] + slope * (v - u[i]), slope)
    }

    private func midpointCDF(_ value: Double) -> Double {
        let i = Self.segment(x, value)
        guard x[i + 1] > x[i] else { return u[i] }
        return u[i] + (value - x[i]) * (u[i + 1] - u[i]) / (x[i + 1] - x[i])
    }

    /// The segment [i, i + 1] of `grid` (ascending) holding v; the end segments outside.
    private static func segment(_ grid: [Double], _ v: Double) -> Int {
        var (lo, hi) = (0, grid.count - 1)
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if grid[mid] <= v { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// `spread`: F(x) on the uniform knot grid, as u in [0, 1]; a value equal to a tie run gets a
    /// random place inside it. Values outside the knots go to 0 or 1.
    private func spreadCDF(_ x: Double, _ generator: inout Philox) -> Double {
        let n = knots.count, last = Double(n - 1)
        let lo = Self.lowerBound(knots, x), hi = Self.upperBound(knots, x)
        var u: Double
        if hi - lo >= 2 {
            // Inside the run, clear of its ends by 1 % of a segment, so the float32 rounding of y
            // cannot carry the inverse into a neighbouring segment: the value comes back exactly.
            let span = Double(hi - 1 - lo)
            u = (Double(lo) + (0.01 + 0.98 * generator.uniform()) * span) / last
        } else if hi - lo == 1 {
            u = Double(lo) / last
        } else if lo == 0 {
            u = 0
        } else if lo == n {
            u = 1
        } else {
            u = (Double(lo - 1) + (x - knots[lo - 1]) / (knots[lo] - knots[lo - 1])) / last
        }
        return u
    }

    /// `spread`: F⁻¹(u) by linear interpolation between the knots (u outside [0, 1] clamps).
    private func spreadQuantile(_ u: Double) -> Double {
        guard let (i, fraction) = Self.gridSegment(u, count: knots.count) else { return u <= 0 ? knots[0] : knots[knots.count - 1] }
        let (a, b) = (knots[i], knots[i + 1])
        return a == b ? a : a + fraction * (b - a)
    }

    /// The knot segment holding u and the position inside it; nil outside (0, 1).
    @inline(__always)
    private static func gridSegment(_ u: Double, count: Int) -> (index: Int, fraction: Double)? {
        guard u > 0, u < 1, count >= 2 else { return nil }
        let p = u * Double(count - 1)
        let i = min(Int(p), count - 2)
        return (i, p - Double(i))
    }

    /// First index whose knot is ≥ x.
    private static func lowerBound(_ knots: [Double], _ x: Double) -> Int {
        var (lo, hi) = (0, knots.count)
        while lo < hi { let mid = (lo + hi) / 2; if knots[mid] < x { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    /// First index whose knot is > x.
    private static func upperBound(_ knots: [Double], _ x: Double) -> Int {
        var (lo, hi) = (0, knots.count)
        while lo < hi { let mid = (lo + hi) / 2; if knots[mid] <= x { lo = mid + 1 } else { hi = mid } }
        return lo
    }
}
