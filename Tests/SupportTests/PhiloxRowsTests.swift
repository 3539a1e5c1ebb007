import XCTest
@testable import Support

/// The eight-rows-at-a-time per-event noise against its per-row twin: generated events must not
/// change by a single bit when their noise is vectorised across rows.
final class PhiloxRowsTests: XCTestCase {
    /// Every width class (below one block, one block, partial last block, one and several 32-value
    /// tiles, odd) and row counts below, at and off multiples of eight.
    func testFillNormalRowsIsBitwiseThePerRowFill() {
        for width in [1, 2, 3, 4, 5, 7, 16, 17, 31, 32, 33, 63, 64, 65, 100] {
            for rows in [1, 7, 8, 9, 16, 23, 29] {
                assertRowsMatch(width: width, rows: rows, firstRow: 3 + width, seed: 0xC0FFEE ^ UInt64(rows), substream: 0x47454E)
            }
        }
    }

    /// Row indices that cross 2³² inside one group of eight exercise the high stream word per lane;
    /// a seed with both halves set exercises both key words.
    func testStreamsCrossingTheLowWordAndWideSeeds() {
        for width in [3, 17, 64] {
            assertRowsMatch(width: width, rows: 19, firstRow: (1 << 32) - 5, seed: 0x0123_4567_89AB_CDEF, substream: 7)
            assertRowsMatch(width: width, rows: 16, firstRow: 0, seed: .max, substream: .max)
        }
    }

    /// A buffer that is not a whole number of rows leaves the remainder untouched, as before.
    func testPartialTrailingRowIsLeftAlone() {
        let width = 5, values = 8 * width + 3
        var fast = [Float](repeating: 42, count: values), reference = fast
        fast.withUnsafeMutableBufferPointer { Philox.fillNormalRows($0, width: width, firstRow: 0, seed: 1, substream: 2) }
        reference.withUnsafeMutableBufferPointer {
            Philox.fillNormalRowsReference($0, width: width, firstRow: 0, seed: 1, substream: 2)
        }
        XCTAssertEqual(fast.map(\.bitPattern), reference.map(\.bitPattern))
        XCTAssertEqual(Array(fast.suffix(3)), [42, 42, 42])
    }

    private func assertRowsMatch(width: Int, rows: Int, firstRow: Int, seed: UInt64, substream: UInt32,
                                 file: StaticString = #filePath, line: UInt = #line) {
        var fast = [Float](repeating: .nan, count: rows * width), reference = fast
        fast.withUnsafeMutableBufferPointer {
            Philox.fillNormalRows($0, width: width, firstRow: firstRow, seed: seed, substream: substream)
        }
        reference.withUnsafeMutableBufferPointer {
            Philox.fillNormalRowsReference($0, width: width, firstRow: firstRow, seed: seed, substream: substream)
        }
        XCTAssertFalse(fast.contains { !$0.isFinite }, "unfilled values, width \(width) rows \(rows)", file: file, line: line)
        XCTAssertEqual(fast.map(\.bitPattern), reference.map(\.bitPattern), "width \(width) rows \(rows) firstRow \(firstRow)",
                       file: file, line: line)
    }
}
