import Comm
@testable import EventStore
import Foundation
import XCTest
@testable import Support

private typealias F = PreprocessingFixtures

/// The shell projection (`ShellProjection`, a preprocessor's `shell`): the closed-form scale against
/// a bisection twin, generated (off-shell) rows put on the shell with their pair mass and
/// directions kept, real rows unchanged, the masses fitted from the table, and the JSON of models
/// written before it existed read as before. References are computed here in Double.
final class PreprocessingShellTests: XCTestCase {
    static let components = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz"]

    /// Pair mass² with on-shell energies after scaling both momenta by s (the reference twin's function).
    static func massSquared(_ s: Double, m1: Double, m2: Double, q1: Double, q2: Double, q: Double) -> Double {
        let e = (s * s * q1 + m1 * m1).squareRoot() + (s * s * q2 + m2 * m2).squareRoot()
        return e * e - s * s * q
    }

    /// Bisection on the (increasing) pair mass: the plain twin of `ShellProjection.scale`.
    static func bisect(mass: Double, m1: Double, m2: Double, q1: Double, q2: Double, q: Double) -> Double? {
        let f = { (s: Double) in massSquared(s, m1: m1, m2: m2, q1: q1, q2: q2, q: q) - mass * mass }
        guard f(0) < 0 else { return nil }
        var (lo, hi) = (0.0, 1.0)
        while f(hi) < 0 { hi *= 2; if hi > 1e12 { return nil } }
        for _ in 0..<200 { let mid = (lo + hi) / 2; if f(mid) < 0 { lo = mid } else { hi = mid } }
        return (lo + hi) / 2
    }

    func testScaleSolvesThePairMassLikeBisection() {
        var g = Philox(seed: 11, stream: 0)
        var solved = 0
        for trial in 0..<20_000 {
            let (m1, m2) = trial % 4 == 0 ? (0.0, 0.0) : (0.105_66, trial % 4 == 1 ? 0.0 : 0.105_66)
            let a = (0..<3).map { _ in 60 * g.normal() }
            // Every fifth pair nearly collinear (the ill-conditioned case), in both orientations.
            let b = trial % 5 == 0 ? a.map { $0 * (trial % 10 == 0 ? 0.7 : -1.3) + 1e-3 * g.normal() } : (0..<3).map { _ in 60 * g.normal() }
            let q1 = a.reduce(0) { $0 + $1 * $1 }, q2 = b.reduce(0) { $0 + $1 * $1 }
            let c = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
            let sum = zip(a, b).map { $0 + $1 }, q = sum.reduce(0) { $0 + $1 * $1 }
            // A generator's mass: within a factor 2 of the momenta's own; every seventh near or below m1 + m2.
            let own = Self.massSquared(1, m1: m1, m2: m2, q1: q1, q2: q2, q: q).squareRoot()
            let mass = trial % 7 == 0 ? 0.25 * g.uniform() : own * (0.5 + 1.5 * g.uniform())
            let cross = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]].reduce(0) { $0 + $1 * $1 }
            let s = ShellProjection.scale(mass: mass, m1: m1, m2: m2, q1: q1, q2: q2, c: c, cross: cross)
            let reference = Self.bisect(mass: mass, m1: m1, m2: m2, q1: q1, q2: q2, q: q)
            guard let s else {
                // No solution: the mass is below m1 + m2 or above what collinear momenta can reach.
                if let reference {
                    XCTAssertLessThan(abs(Self.massSquared(reference, m1: m1, m2: m2, q1: q1, q2: q2, q: q) - mass * mass),
                                      1e-9 * mass * mass, "trial \(trial): bisection found a root the closed form missed")
                }
                continue
            }
            solved += 1
            // Both sides evaluate (E₁ + E₂)² − s²|p₁ + p₂|², which loses (E/M)² of double precision for collinear pairs.
            let got = Self.massSquared(s, m1: m1, m2: m2, q1: q1, q2: q2, q: q).squareRoot()
            let energy = (s * s * q1 + m1 * m1).squareRoot() + (s * s * q2 + m2 * m2).squareRoot()
            let condition = energy * energy / max(mass * mass, 1e-12)
            XCTAssertEqual(got, mass, accuracy: 1e-9 * mass + 1e-15 * condition * mass, "trial \(trial): pair mass")
            // Against bisection's s where the mass pins it (for parallel collinear pairs the mass flattens out in s).
            if let reference, trial % 10 != 0 {
                XCTAssertEqual(s, reference, accuracy: (1e-9 + 1e-15 * condition) * s, "trial \(trial): against bisection")
            }
        }
        XCTAssertGreaterThan(solved, 15_000, "most random pairs have a solution")
        XCTAssertNil(ShellProjection.scale(mass: 0.2, m1: 0.105_66, m2: 0.105_66, q1: 1, q2: 1, c: 0, cross: 1), "below m1 + m2")
    }

    /// Off-shell rows (each energy moved by up to ±3 GeV, as a generator's) in the rotation frame
    /// (mu2_py a zero component), through pair mass + standardisation + the projection.
    func testGeneratedRowsComeOutOnTheShellWithTheirPairMassAndDirections() throws {
        let (p, rotated) = try fittedInRotatedFrame(rows: 2000)
        let masses = try XCTUnwrap(p.shell?.masses)
        // Fitted from the on-shell training rows; float32 energies move E² − |p|² by ~E²·2⁻²⁴, so the
        // median of 2000 rows lands within 0.1 % of the fixtures' mass.
        XCTAssertEqual(masses[0], F.muonMass, accuracy: 1e-4 * F.muonMass * 10, "fitted from the on-shell training rows")
        XCTAssertEqual(masses[1], F.muonMass, accuracy: 1e-4 * F.muonMass * 10)
        var off = rotated
        var g = Philox(seed: 5, stream: 1)
        for r in 0..<off.rows { for c in [0, 4] { off[r, c] += Float(3 * (2 * g.uniform() - 1)) } }
        let out = try p.inverse(try p.forward(off, seed: 1), seed: 1)
        let py = off.columnIndex("mu2_py")
        XCTAssertNil(py, "mu2_py is the rotation's dropped column")
        let (e1, x1, y1, z1, e2, x2, z2) = (0, 1, 2, 3, 4, 5, 6)
        var noSolution = 0
        for r in 0..<off.rows {
            func d(_ t: EventTable, _ c: Int) -> Double { Double(t[r, c]) }
            for (e, comps, m) in [(e1, [x1, y1, z1], masses[0]), (e2, [x2, z2], masses[1])] {
                let shell = (comps.reduce(0) { $0 + d(out, $1) * d(out, $1) } + m * m).squareRoot()
                XCTAssertEqual(d(out, e), shell, accuracy: 2 * Double(out[r, e].ulp), "row \(r): on the shell")
            }
            func pair(_ t: EventTable) -> Double {
                let e = d(t, e1) + d(t, e2), x = d(t, x1) + d(t, x2), y = d(t, y1), z = d(t, z1) + d(t, z2)
                return max(e * e - x * x - y * y - z * z, 0).squareRoot()
            }
            func norm(_ t: EventTable, _ comps: [Int]) -> Double { comps.reduce(0) { $0 + d(t, $1) * d(t, $1) }.squareRoot() }
            let s = norm(out, [x1, y1, z1]) / norm(off, [x1, y1, z1])
            if pair(off) > masses[0] + masses[1] + 1e-3 {
                XCTAssertEqual(pair(out), pair(off), accuracy: 2e-5 * (d(out, e1) + d(out, e2)), "row \(r): pair mass kept")
            } else {
                // Smeared below the two masses (E₁ + E₂ < |p₁ + p₂|): no scale reaches it, the momenta stay.
                noSolution += 1
                XCTAssertEqual(s, 1, accuracy: 1e-6, "row \(r): momenta kept without a solution")
            }
            // One scale for both momenta, directions kept: every component moved by the same factor.
            XCTAssertEqual(norm(out, [x2, z2]) / norm(off, [x2, z2]), s, accuracy: 1e-6 * s, "row \(r): one scale")
            for (c, size) in [(x1, norm(off, [x1, y1, z1])), (y1, norm(off, [x1, y1, z1])), (z1, norm(off, [x1, y1, z1])),
                              (x2, norm(off, [x2, z2])), (z2, norm(off, [x2, z2]))] {
                XCTAssertEqual(d(out, c), s * d(off, c), accuracy: 1e-6 * s * size, "row \(r) column \(c): direction kept")
            }
        }
        XCTAssertLessThan(noSolution, off.rows / 10, "\(noSolution) rows smeared below the two masses")
        XCTAssertGreaterThan(noSolution, 0, "the fallback is exercised")
    }

    /// Real rows are on their shell already (to float32 resolution): the projection leaves them bit
    /// for bit as the round trip without it does.
    func testRealRowsComeBackUnchanged() throws {
        let (p, rotated) = try fittedInRotatedFrame(rows: 2000)
        var plain = p
        plain.shell = nil
        let y = try p.forward(rotated, seed: 1)
        XCTAssertEqual(y.values.map(\.bitPattern), try plain.forward(rotated, seed: 1).values.map(\.bitPattern), "forward untouched")
        let back = try p.inverse(y, seed: 1), reference = try plain.inverse(y, seed: 1)
        // Every column of every row exactly as the round trip without the projection leaves it.
        XCTAssertEqual(back.values.map(\.bitPattern), reference.values.map(\.bitPattern))
        // Not because nothing runs: the same rows with a muon 1 GeV off its shell do change.
        var off = rotated
        off[0, 4] += 1
        let moved = try p.inverse(try p.forward(off, seed: 1), seed: 1), kept = try plain.inverse(try plain.forward(off, seed: 1), seed: 1)
        XCTAssertNotEqual(moved[0, 4], kept[0, 4], "row 0 is projected")
        XCTAssertEqual(Array(moved.values[rotated.width...]).map(\.bitPattern), Array(kept.values[rotated.width...]).map(\.bitPattern))
    }

    func testMasslessMuonsGetTheirOwnShell() throws {
        var events = F.events(rows: 300)
        for r in 0..<events.rows {
            for e in [0, 4] {
                let p = (1...3).reduce(0.0) { $0 + Double(events[r, e + $1]) * Double(events[r, e + $1]) }
                events[r, e] = Float(p.squareRoot())
            }
        }
        var p = Preprocessor(steps: [.pairMass(Self.components)], shell: ShellProjection(components: Self.components))
        try p.fit(events, comm: nil)
        let masses = try XCTUnwrap(p.shell?.masses)
        XCTAssertLessThan(masses.max()!, 5e-3, "the median of E² − |p|² of massless rows is 0 up to rounding")
    }

    func testStoredWithThePreprocessorAndOlderFilesReadAsBefore() throws {
        let (p, rotated) = try fittedInRotatedFrame(rows: 200)
        let json = try JSONEncoder().encode(p)
        let decoded = try JSONDecoder().decode(Preprocessor.self, from: json)
        XCTAssertEqual(decoded, p)
        let y = try p.forward(rotated, seed: 1)
        XCTAssertEqual(try decoded.inverse(y, seed: 1).values.map(\.bitPattern), try p.inverse(y, seed: 1).values.map(\.bitPattern))
        // A preprocessor written before the projection existed: no "shell" member, read as before.
        var old = p
        old.shell = nil
        let oldJSON = try XCTUnwrap(String(data: try JSONEncoder().encode(old), encoding: .utf8))
        XCTAssertFalse(oldJSON.contains("shell"), oldJSON)
        let read = try JSONDecoder().decode(Preprocessor.self, from: Data(oldJSON.utf8))
        XCTAssertNil(read.shell)
        XCTAssertEqual(try read.inverse(y, seed: 1).values.map(\.bitPattern), try old.inverse(y, seed: 1).values.map(\.bitPattern))
        // A damaged stored mass is refused in one line.
        let text = try XCTUnwrap(String(data: json, encoding: .utf8))
        let masses = try XCTUnwrap(p.shell?.masses)
        let damaged = text.replacingOccurrences(of: "\(masses[0])", with: "-1")
        XCTAssertNotEqual(damaged, text)
        let error = F.message { _ = try JSONDecoder().decode(Preprocessor.self, from: Data(damaged.utf8)) }
        XCTAssertEqual(error?.text, "stored preprocessor on_shell projection: expected two finite masses ≥ 0, found [-1.0, \(masses[1])]; "
                       + "the model file is damaged, refit the model")
    }

    /// The fixtures rotated into the frame (mu2_py dropped), and pair mass + standardisation + shell fitted on them.
    private func fittedInRotatedFrame(rows: Int) throws -> (Preprocessor, EventTable) {
        let events = F.events(rows: rows, seed: 3)
        var frame = Preprocessor(steps: [.rotateAzimuth(reference: "mu2")])
        try frame.fit(events, comm: nil)
        let rotated = try frame.forward(events, seed: 1)
        let components = PreprocessingStep.pairMassComponents("mu1", "mu2", zero: ["mu2_py"])
        var p = Preprocessor(steps: [.pairMass(components), .standardize(rotated.columns)], shell: ShellProjection(components: components))
        try p.fit(rotated, comm: nil)
        return (p, rotated)
    }
}
