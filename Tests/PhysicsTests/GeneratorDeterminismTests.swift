import EventStore
import XCTest
@testable import Physics
@testable import Support

final class GeneratorDeterminismTests: XCTestCase {
    func testColumnsAndShape() {
        XCTAssertEqual(EventGenerator.columns, [
            "mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz", "nvtx",
            "met_px", "met_py", "mu1_iso", "mu2_iso", "jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt",
        ])
        let t = EventGenerator(process: .dy, seed: 1).generate(rows: 40..<90)
        XCTAssertEqual(t.rows, 50)
        XCTAssertEqual(t.firstRow, 40)
        XCTAssertEqual(t.values.count, 50 * 18)
        XCTAssertEqual(PhysicsProcess(rawValue: "zh-inv"), .zhInv)
        XCTAssertEqual(PhysicsProcess.allCases.map(\.rawValue), ["dy", "zh-inv"])
    }

    func testRangesConcatenateBitForBit() {
        for process in PhysicsProcess.allCases {
            let g = EventGenerator(process: process, seed: 77)
            let whole = g.generate(rows: 0..<2000)
            var parts = g.generate(rows: 0..<700)
            let tail = g.generate(rows: 700..<2000)
            XCTAssertEqual(tail.firstRow, 700)
            parts.append(tail)
            XCTAssertEqual(parts.values.map(\.bitPattern), whole.values.map(\.bitPattern), process.rawValue)
        }
    }

    func testFillMatchesGenerateAndSingleEvents() {
        let g = EventGenerator(process: .zhInv, seed: 5)
        let table = g.generate(rows: 100..<130)
        var buffer = [Float](repeating: .nan, count: 30 * 18)
        buffer.withUnsafeMutableBufferPointer { g.fill(rows: 100..<130, into: $0) }
        XCTAssertEqual(buffer.map(\.bitPattern), table.values.map(\.bitPattern))
        let single = g.generate(rows: 117..<118)
        XCTAssertEqual(single.values.map(\.bitPattern), Array(table.values[(17 * 18)..<(18 * 18)]).map(\.bitPattern))
    }

    func testSeedsAndProcessesDetermineTheTable() {
        let a = EventGenerator(process: .dy, seed: 9).generate(rows: 0..<500)
        let b = EventGenerator(process: .dy, seed: 9).generate(rows: 0..<500)
        let c = EventGenerator(process: .dy, seed: 10).generate(rows: 0..<500)
        let d = EventGenerator(process: .zhInv, seed: 9).generate(rows: 0..<500)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.values, c.values)
        XCTAssertNotEqual(a.values, d.values)
        // Different seeds give different events almost everywhere, not just somewhere.
        var same = 0
        for r in 0..<500 where a[r, 0] == c[r, 0] { same += 1 }
        XCTAssertLessThan(same, 5)
    }

    func testEveryValueIsFinite() {
        for table in [Fixture.dy, Fixture.zh] {
            XCTAssertTrue(table.values.allSatisfy(\.isFinite))
        }
    }
}
