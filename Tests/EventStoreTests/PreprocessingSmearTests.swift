import Comm
import Foundation
import XCTest
@testable import EventStore
@testable import Support

final class PreprocessingSmearTests: XCTestCase {
    typealias F = PreprocessingFixtures

    func testSmearThenFloorIsExact() throws {
        var table = F.events(rows: 5000)
        let nvtx = try XCTUnwrap(table.columnIndex("nvtx"))
        table[0, nvtx] = -3          // negative and zero integers too
        table[1, nvtx] = 0
        table[2, nvtx] = 1_000_000
        var p = Preprocessor(steps: [.smearInteger(["nvtx"])])
        try p.fit(table, comm: nil)
        let out = try p.forward(table, seed: 11)
        XCTAssertNotEqual(F.column(out, "nvtx"), F.column(table, "nvtx"))
        for (y, x) in zip(F.column(out, "nvtx"), F.column(table, "nvtx")) {
            XCTAssertEqual(y.rounded(.down), x)
        }
        XCTAssertEqual(try p.inverse(out, seed: 99), table, "floor restores the table bitwise")
    }

    func testNoiseIsTruncatedGaussianAroundTheMidpoint() throws {
        let table = F.events(rows: 20000)
        var p = Preprocessor(steps: [.smearInteger(["nvtx"], sigma: 0.5)])
        try p.fit(table, comm: nil)
        let noise = zip(F.column(try p.forward(table, seed: 3), "nvtx"), F.column(table, "nvtx")).map { $0 - $1 - 0.5 }
        XCTAssertTrue(noise.allSatisfy { $0 > -0.5 && $0 < 0.5 })
        let mean = noise.reduce(0, +) / Double(noise.count)
        let variance = noise.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(noise.count)
        // N(0, 0.25) truncated to ±1σ: σ²(1 − 2φ(1)/(2Φ(1) − 1)) = 0.0728.
        XCTAssertEqual(mean, 0, accuracy: 0.006)
        XCTAssertEqual(variance, 0.0728, accuracy: 0.003)
        var wide = Preprocessor(steps: [.smearInteger(["nvtx"], sigma: 0.1)])
        try wide.fit(table, comm: nil)
        let narrow = zip(F.column(try wide.forward(table, seed: 3), "nvtx"), F.column(table, "nvtx")).map { $0 - $1 - 0.5 }
        XCTAssertEqual(narrow.map { $0 * $0 }.reduce(0, +) / Double(narrow.count), 0.01, accuracy: 0.001)
    }

    func testSeedsAndRowRangesDetermineTheNoise() throws {
        let table = F.events(rows: 301)
        var p = Preprocessor(steps: [.smearInteger(["nvtx"])])
        try p.fit(table, comm: nil)
        let whole = try p.forward(table, seed: 5)
        let split = try F.piecewise(table, [0..<1, 1..<137, 137..<301]) { try p.forward($0, seed: 5) }
        XCTAssertEqual(split, whole, "bitwise independent of the row split")
        XCTAssertEqual(try p.forward(table, seed: 5), whole)
        XCTAssertNotEqual(try p.forward(table, seed: 6), whole)
    }

    func testNonIntegerValueIsRefusedWithRowAndColumn() throws {
        var rows = F.rows(of: F.events(rows: 4))
        rows[2][8] = 3.5
        rows[3][8] = 2.25
        var p = Preprocessor(steps: [.smearInteger(["nvtx"])])
        let error = F.message { try p.fit(F.table(rows), comm: nil) }
        XCTAssertEqual(error?.text, "row 2, column 'nvtx': smearInteger expected an integer, found 3.5; "
                       + "leave 'nvtx' out of the integer columns")
        XCTAssertEqual(error?.code, ExitStatus.dataError)
        rows[2][8] = 3
        rows[3][8] = 2e7
        XCTAssertEqual(F.message { try p.fit(F.table(rows), comm: nil) }?.text,
                       "row 3, column 'nvtx': smearInteger expected |value| ≤ 1048576 (float32 keeps the fraction there), "
                       + "found 2e+07; leave 'nvtx' out of the integer columns")
    }

    func testSigmaOutOfRangeIsRefused() throws {
        var p = Preprocessor(steps: [.smearInteger(["nvtx"], sigma: -1)])
        let error = F.message { try p.fit(F.events(rows: 2), comm: nil) }
        XCTAssertEqual(error?.text, "preprocessing step 1 (smearInteger): expected sigma in [0, 10.0], found -1.0; use e.g. sigma 0.5")
        XCTAssertEqual(error?.code, ExitStatus.usage)
    }
}
