import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

/// The derivative path through `ordered`: its inverse x_k = t + min(y_k, 1)·(x_{k−1} − t) mixes each jet
/// with the one before, so `pullBack` applies its transposed (lower-triangular) Jacobian, last jet
/// first, beside pair_mass's and before the elementwise factors. Checked as a vector–Jacobian product
/// against central differences of ⟨g, inverse(y)⟩ where both one-sided differences agree (entries
/// whose ±h straddle a kink — y_k at 0 or 1, a jet at the threshold, a jet turning absent — are
/// skipped and counted), and the values against `inverse` bit for bit.
final class PreprocessingOrderedDerivativeTests: XCTestCase {
    typealias F = PreprocessingFixtures

    func testOrderedJacobianMatchesFiniteDifferences() throws {
        let c = PreprocessingStep.pairMassComponents("mu1", "mu2"), jets = PreprocessingOrderedTests.jets
        var p = Preprocessor(steps: [.pairMass(c), .ordered(jets), .log1p(["jet1_pt"]), .standardize(F.columns)])
        try p.fit(PreprocessingOrderedTests.orderedEvents(rows: 60), comm: nil)
        XCTAssertTrue(p.isDifferentiable)
        XCTAssertEqual(p.mixingWidth, 4 + 2 * 4)
        let rows = 24, width = F.columns.count
        var y = try p.forward(PreprocessingOrderedTests.orderedEvents(rows: rows, seed: 9), seed: 3).values
        for i in y.indices { y[i] += Float(0.02 * Double(i % 11) - 0.1) }
        var expected = y
        try expected.withUnsafeMutableBufferPointer { try p.inverse(into: $0, rows: rows, firstRow: 0, seed: 0) }
        let ((x, derivative), mixing) = try F.inverseWithJacobian(p, y, rows: rows)
        XCTAssertEqual(x.map(\.bitPattern), expected.map(\.bitPattern), "the derivative path's values are the inverse's")
        let (g, pulled) = F.randomPullBack(p, derivative: derivative, mixing: mixing, rows: rows)
        let scale = pulled.map { abs(Double($0)) }.max() ?? 0
        XCTAssertGreaterThan(scale, 0)
        let jetColumns = Set(jets.compactMap { F.columns.firstIndex(of: $0) })
        var worst = 0.0, checked = 0, skipped = 0, movedByLaterJets = 0
        for i in y.indices {
            let h = Float(1e-3 * max(1, Double(abs(y[i]))))
            let (plus, minus) = try F.perturbedInverses(p, y, entry: i, step: h, rows: rows)
            let row = (i / width) * width
            var up = 0.0, down = 0.0
            for j in row..<(row + width) {
                up += Double(g[j]) * (Double(plus[j]) - Double(x[j]))
                down += Double(g[j]) * (Double(x[j]) - Double(minus[j]))
            }
            let upSlope = up / (Double(y[i] + h) - Double(y[i])), downSlope = down / (Double(y[i]) - Double(y[i] - h))
            guard jetColumns.contains(i % width) else {
                worst = max(worst, abs((up + down) / (Double(y[i] + h) - Double(y[i] - h)) - Double(pulled[i])) / scale)
                continue
            }
            if abs(upSlope - downSlope) > 1e-2 * scale {
                skipped += 1
                continue
            }
            checked += 1
            if i % width != jetColumns.max()!, abs(Double(pulled[i]) - Double(g[i]) * Double(derivative[i])) > 1e-3 * scale {
                movedByLaterJets += 1
            }
            worst = max(worst, abs(0.5 * (upSlope + downSlope) - Double(pulled[i])) / scale)
        }
        XCTAssertLessThan(worst, 3e-3, "largest deviation relative to the largest gradient")
        XCTAssertGreaterThan(checked, 3 * skipped, "checked \(checked) jet entries, \(skipped) at a kink")
        XCTAssertGreaterThan(movedByLaterJets, 10, "a jet's gradient includes the later jets' (the off-diagonal Jacobian)")
    }
}
