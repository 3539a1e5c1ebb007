import EventStore
import XCTest
@testable import Physics
@testable import Support

/// Small batches of physical-looking rows for the gradient tests: width 11 (odd, wider than any
/// quantity's inputs), with a quantity's inputs at scattered, permuted positions and filler noise
/// in the other columns, so a kernel that assumes contiguous or ordered inputs fails.
enum GradientFixture {
    static let width = 11
    static let muonMass = 0.105_66

    /// Positions of `quantity.inputs`: the first `inputs.count` of a seeded shuffle of 0..<width.
    static func columns(_ quantity: DerivedQuantity, seed: UInt64) -> [Int] {
        var order = Array(0..<width)
        var g = Philox(seed: seed, stream: 99)
        for i in stride(from: width - 1, to: 0, by: -1) {
            order.swapAt(i, Int(g.uniform() * Double(i + 1)) % (i + 1))
        }
        return Array(order.prefix(quantity.inputs.count))
    }

    /// `count` rows, row-major; inputs in physical ranges away from the kinks the gradients skip:
    /// muons on shell (E > |p|), muon azimuths less than 2.5 rad apart and the missing-pT azimuth
    /// inside (−3, 3), so neither atan2's branch cut nor the Δφ wrap falls between the
    /// finite-difference points.
    static func rows(_ quantity: DerivedQuantity, count: Int, columns: [Int], seed: UInt64) -> [Float] {
        var out = [Float](repeating: 0, count: count * width)
        for r in 0..<count {
            var g = Philox(seed: seed, stream: UInt64(r))
            for c in 0..<width { out[r * width + c] = Float(10 * g.normal()) }
            for (k, v) in inputs(quantity, &g).enumerated() { out[r * width + columns[k]] = Float(v) }
        }
        return out
    }

    private static func inputs(_ quantity: DerivedQuantity, _ g: inout Philox) -> [Double] {
        switch quantity {
        case .mll:
            var muons: [Double] = []
            for _ in 0..<2 {
                let pt = 20 + 30 * g.exponential(), phi = 2 * Double.pi * g.uniform(), pz = pt * sinh(1.2 * g.normal())
                muons += [(pt * pt + pz * pz + muonMass * muonMass).squareRoot(), pt * cos(phi), pt * sin(phi), pz]
            }
            return muons
        case .ptll, .dphiLL:
            let phi1 = 2 * Double.pi * g.uniform() - Double.pi, phi2 = phi1 + 5 * g.uniform() - 2.5
            let pt1 = 20 + 30 * g.exponential(), pt2 = 20 + 30 * g.exponential()
            return [pt1 * cos(phi1), pt1 * sin(phi1), pt2 * cos(phi2), pt2 * sin(phi2)]
        case .met, .phiMiss:
            let met = 5 + 20 * g.exponential(), phi = 6 * g.uniform() - 3
            return [met * cos(phi), met * sin(phi)]
        case .njets:
            return (0..<5).map { _ in g.uniform() < 0.4 ? 0 : 30 * g.exponential() }
        }
    }

    /// The table a `quantity` lookup sees for these rows: inputs under their names, fillers as x<c>.
    static func table(_ quantity: DerivedQuantity, rows: [Float], columns: [Int]) -> EventTable {
        var names = (0..<width).map { "x\($0)" }
        for (k, c) in columns.enumerated() { names[c] = quantity.inputs[k] }
        return EventTable(columns: names, rows: rows.count / width, values: rows)
    }

    /// q of every row of `rows`, through the batch API.
    static func values(_ quantity: DerivedQuantity, _ rows: [Float], columns: [Int]) -> [Double] {
        let n = rows.count / width
        var q = [Double](repeating: .nan, count: n)
        rows.withUnsafeBufferPointer { x in
            q.withUnsafeMutableBufferPointer { quantity.values(x, count: n, width: width, columns: columns, into: $0) }
        }
        return q
    }

    /// Central difference of `f` wrt entry `i` of `x`, in Double over the float32 points actually
    /// evaluated. Step 1e-4 of the value's magnitude (at least 1e-4): boosted pairs (E ≈ 450 GeV,
    /// m ≈ 60 GeV) curve enough that 1e-3 leaves a 1 % truncation error.
    static func centralDifference(_ x: [Float], _ i: Int, _ f: ([Float]) throws -> Double) rethrows -> Double {
        let h = Float(1e-4 * Swift.max(1, Double(Swift.abs(x[i]))))
        var plus = x, minus = x
        plus[i] += h
        minus[i] -= h
        return try (f(plus) - f(minus)) / (Double(plus[i]) - Double(minus[i]))
    }

    /// |analytic − numeric| ≤ relative·|numeric| + absolute.
    static func assertClose(_ analytic: Double, _ numeric: Double, relative: Double = 1e-3, absolute: Double,
                            _ what: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(Swift.abs(analytic - numeric), relative * Swift.abs(numeric) + absolute,
                                 "\(what()): analytic \(analytic), finite difference \(numeric)", file: file, line: line)
    }
}
