import Foundation
import XCTest
import Comm
import EventStore
@testable import Support

/// Hand-made dimuon events for the preprocessing tests (no dependency on the Physics module).
enum PreprocessingFixtures {
    static let columns = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz", "nvtx",
                          "met_px", "met_py", "mu1_iso", "mu2_iso", "jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt"]
    static let muonMass = 0.105_66

    /// `rows` events with random azimuths, pseudorapidities and pT, Poisson vertex counts.
    static func events(rows: Int, seed: UInt64 = 7, firstRow: Int = 0) -> EventTable {
        var table = EventTable(columns: columns, rows: rows, firstRow: firstRow)
        for r in 0..<rows {
            var g = Philox(seed: seed, stream: UInt64(firstRow + r))
            var row: [Double] = []
            for _ in 0..<2 {
                let pt = 20 + 30 * g.exponential(), phi = 2 * Double.pi * g.uniform() - Double.pi
                let eta = 1.2 * g.normal()
                let pz = pt * sinh(eta)
                row += [(pt * pt + pz * pz + muonMass * muonMass).squareRoot(), pt * cos(phi), pt * sin(phi), pz]
            }
            row.append(Double(g.poisson(20)))
            let met = 10 * g.exponential(), metPhi = 2 * Double.pi * g.uniform()
            row += [met * cos(metPhi), met * sin(metPhi), 0.1 * g.exponential(), 0.1 * g.exponential()]
            for j in 0..<5 { row.append(j < 2 || g.uniform() < 0.5 ? 30 * g.exponential() : 0) }
            for (c, v) in row.enumerated() { table[r, c] = Float(v) }
        }
        return table
    }

    /// A table of the same columns whose rows are `rows` (for error cases).
    static func table(_ rows: [[Float]], firstRow: Int = 0) -> EventTable {
        EventTable(columns: columns, rows: rows.count, values: rows.flatMap { $0 }, firstRow: firstRow)
    }

    /// The rows of `table` as arrays.
    static func rows(of table: EventTable) -> [[Float]] {
        (0..<table.rows).map { r in Array(table.values[(r * table.width)..<((r + 1) * table.width)]) }
    }

    /// Column `name` of `table` as Doubles.
    static func column(_ table: EventTable, _ name: String) -> [Double] {
        guard let i = table.columnIndex(name) else { return [] }
        return table.column(i)
    }

    /// The rows `ranges` of `table` run through `body` separately, then concatenated.
    static func piecewise(_ table: EventTable, _ ranges: [Range<Int>],
                          _ body: (EventTable) throws -> EventTable) throws -> EventTable {
        var out: EventTable? = nil
        for range in ranges {
            let part = try body(table.slice(range))
            if out == nil { out = part } else { out?.append(part) }
        }
        return try XCTUnwrap(out)
    }

    /// `p.inverseWithDerivative` on a copy of `y`: (inverse values, dx/dy per entry of the
    /// elementwise steps, the pair steps' per-row partials).
    static func inverseWithDerivative(_ p: Preprocessor, _ y: [Float], rows: Int) throws -> ([Float], [Float]) {
        try inverseWithJacobian(p, y, rows: rows).values
    }

    static func inverseWithJacobian(_ p: Preprocessor, _ y: [Float], rows: Int) throws
        -> (values: ([Float], [Float]), mixing: [Float]) {
        var x = y, derivative = [Float](repeating: .nan, count: y.count)
        var mixing = [Float](repeating: .nan, count: rows * p.mixingWidth)
        try x.withUnsafeMutableBufferPointer { buffer in
            try derivative.withUnsafeMutableBufferPointer { d in
                try mixing.withUnsafeMutableBufferPointer { try p.inverseWithDerivative(buffer, derivative: d, mixing: $0, rows: rows) }
            }
        }
        return ((x, derivative), mixing)
    }

    /// A fixed-seed random cotangent g (Philox seed 21, stream 1) and its pull-back through the
    /// inverse's stored derivative and mixing: the vector–Jacobian product the gradient checks compare.
    static func randomPullBack(_ p: Preprocessor, derivative: [Float], mixing: [Float], rows: Int)
        -> (cotangent: [Float], pulled: [Float]) {
        var rng = Philox(seed: 21, stream: 1)
        let g = (0..<derivative.count).map { _ in Float(rng.normal()) }
        var pulled = g
        pulled.withUnsafeMutableBufferPointer { gb in
            derivative.withUnsafeBufferPointer { d in
                mixing.withUnsafeBufferPointer { p.pullBack(gb, derivative: d, mixing: $0, rows: rows) }
            }
        }
        return (g, pulled)
    }

    /// The inverse of `y` with entry `i` moved by +h and by −h, for central differences.
    static func perturbedInverses(_ p: Preprocessor, _ y: [Float], entry i: Int, step h: Float,
                                  rows: Int) throws -> (plus: [Float], minus: [Float]) {
        var plus = y, minus = y
        plus[i] += h
        minus[i] -= h
        try plus.withUnsafeMutableBufferPointer { try p.inverse(into: $0, rows: rows, firstRow: 0, seed: 0) }
        try minus.withUnsafeMutableBufferPointer { try p.inverse(into: $0, rows: rows, firstRow: 0, seed: 0) }
        return (plus, minus)
    }

    /// The error's one-line message (fails the test when `body` does not throw an InputError).
    static func message(file: StaticString = #filePath, line: UInt = #line,
                        _ body: () throws -> Void) -> (text: String, code: Int32)? {
        do {
            try body()
            XCTFail("expected an error", file: file, line: line)
        } catch let error as InputError {
            return (error.message, error.exitCode)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    /// |a − b| ≤ tolerance · max(|a|, floor), element-wise.
    static func assertClose(_ a: [Double], _ b: [Double], relative tolerance: Double, floor: Double = 1,
                            _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for (i, (x, y)) in zip(a, b).enumerated() where abs(x - y) > tolerance * max(abs(x), floor) {
            XCTFail("\(what) row \(i): \(x) vs \(y)", file: file, line: line)
            return
        }
    }
}
