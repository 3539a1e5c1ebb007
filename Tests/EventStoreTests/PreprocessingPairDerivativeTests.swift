import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

/// The derivative path through the pair steps: pairMass's inverse E₁ = √(m² + |p₁ + p₂|²) − E₂ and
/// pairPt's (px₁, py₁) − (px₂, py₂) mix a row's columns, so `pullBack` applies their transposed
/// Jacobians before the elementwise factors. Checked as a vector–Jacobian product against central
/// differences of ⟨g, inverse(y)⟩, and the values against `inverse` bit for bit (before on_shell).
final class PreprocessingPairDerivativeTests: XCTestCase {
    typealias F = PreprocessingFixtures
    static let components = PreprocessingStep.pairMassComponents("mu1", "mu2")

    /// Pair steps, then integer smearing, log1p and standardisation, fitted on 30 events, with or without on_shell.
    func preprocessor(pairPt: Bool, shell: Bool) throws -> Preprocessor {
        let c = PreprocessingPairDerivativeTests.components
        var p = Preprocessor(steps: [.pairMass(c)] + (pairPt ? [.pairPt(c)] : [])
                             + [.smearInteger(["nvtx"]), .log1p(["mu2_iso"]), .standardize(F.columns)],
                             shell: shell ? ShellProjection(components: c) : nil)
        try p.fit(F.events(rows: 30), comm: nil)
        return p
    }

    /// Forward images moved off them (a generator's rows are no forward image): the muons off their shell.
    func offShell(_ p: Preprocessor, count: Int) throws -> [Float] {
        var y = try p.forward(F.events(rows: count, seed: 9), seed: 3).values
        for i in y.indices { y[i] += Float(0.02 * Double(i % 11) - 0.1) }
        return y
    }

    func testValuesAreBitwiseTheInverseBeforeTheProjection() throws {
        for pairPt in [false, true] {
            let p = try preprocessor(pairPt: pairPt, shell: true), plain = try preprocessor(pairPt: pairPt, shell: false)
            XCTAssertTrue(p.isDifferentiable)
            XCTAssertEqual(p.mixingWidth, 4)
            let y = try offShell(p, count: 40)
            var expected = y, projected = y
            try expected.withUnsafeMutableBufferPointer { try plain.inverse(into: $0, rows: 40, firstRow: 0, seed: 0) }
            try projected.withUnsafeMutableBufferPointer { try p.inverse(into: $0, rows: 40, firstRow: 0, seed: 0) }
            let (x, _) = try F.inverseWithDerivative(p, y, rows: 40)
            XCTAssertEqual(x.map(\.bitPattern), expected.map(\.bitPattern), "pair_pt \(pairPt)")
            XCTAssertNotEqual(projected, expected, "the projection moves off-shell rows, the derivative path leaves them")
        }
        // What GANData asks of a reducer's scaling: the pair steps and `ordered` keep a derivative
        // (PreprocessingOrderedDerivativeTests), the rotation none (PreprocessingDerivativeTests).
        var ordered = Preprocessor(steps: [.pairMass(PreprocessingPairDerivativeTests.components), .ordered(PreprocessingOrderedTests.jets)])
        try ordered.fit(PreprocessingOrderedTests.orderedEvents(rows: 30), comm: nil)
        XCTAssertTrue(ordered.isDifferentiable)
    }

    func testVectorJacobianProductMatchesFiniteDifferences() throws {
        for pairPt in [false, true] {
            let p = try preprocessor(pairPt: pairPt, shell: false)
            let rows = 12, width = F.columns.count
            let y = try offShell(p, count: rows)
            let ((_, derivative), mixing) = try F.inverseWithJacobian(p, y, rows: rows)
            let (g, pulled) = F.randomPullBack(p, derivative: derivative, mixing: mixing, rows: rows)
            let scale = pulled.map { abs(Double($0)) }.max() ?? 0
            XCTAssertGreaterThan(scale, 0)
            var worst = 0.0
            for i in y.indices {
                let h = Float(2e-3 * max(1, Double(abs(y[i]))))
                let (plus, minus) = try F.perturbedInverses(p, y, entry: i, step: h, rows: rows)
                // Only row i/width moves: ⟨g, Δx⟩ over that row.
                let row = (i / width) * width
                var difference = 0.0
                for j in row..<(row + width) { difference += Double(g[j]) * (Double(plus[j]) - Double(minus[j])) }
                let numeric = difference / (Double(y[i] + h) - Double(y[i] - h))
                worst = max(worst, abs(numeric - Double(pulled[i])) / scale)
                if F.columns[i % width] == "nvtx" { XCTAssertEqual(pulled[i], 0, "the integer floor passes no gradient") }
            }
            XCTAssertLessThan(worst, 2e-3, "pair_pt \(pairPt): largest deviation relative to the largest gradient")
        }
    }
}
