import Comm
import XCTest
@testable import EventStore
@testable import Support

/// `EventReader.read(path:maxRows:)`: only the leading rows, every layout, the file's size kept.
final class EventReaderPrefixTests: XCTestCase {
    let rows: [[Double]] = [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]

    func testEveryLayoutKeepsTheLeadingRowsAndReportsTheFileSize() throws {
        let files = [
            try Fixtures.matrix("prefix-m.h5", columns: ["a", "b"], rows: rows),
            try Fixtures.group("prefix-g.h5", columns: [("a", rows.map { $0[0] }), ("b", rows.map { $0[1] })]),
            try Fixtures.text("prefix.csv", "a,b\n" + rows.map { "\(Int($0[0])),\(Int($0[1]))" }.joined(separator: "\n") + "\n"),
        ]
        for path in files {
            let r = try EventReader.read(path: path, maxRows: 3, comm: try Fixtures.comm)
            XCTAssertEqual(r.table.values, [1, 2, 3, 4, 5, 6], path)
            XCTAssertEqual(r.table.rows, 3, path)
            XCTAssertEqual(r.totalRows, 3, path)
            XCTAssertEqual(r.layout.rows, 5, "the layout still describes the whole file: \(path)")
            let all = try EventReader.read(path: path, maxRows: 100, comm: try Fixtures.comm)
            XCTAssertEqual(all.table, try EventReader.read(path: path, comm: try Fixtures.comm).table, path)
        }
    }

    /// Non-finite values beyond the prefix are not read, so they cannot refuse the table; inside
    /// it they are dropped and counted against the rows used.
    func testNonFinitePolicyAppliesToTheRowsUsed() throws {
        let p = try Fixtures.text("prefix-nan.csv", "a,b\n1,2\nnan,3\n5,6\n7,inf\n")
        XCTAssertEqual(try EventReader.read(path: p, maxRows: 1, comm: try Fixtures.comm).table.values, [1, 2])
        XCTAssertThrowsError(try EventReader.read(path: p, maxRows: 2, comm: try Fixtures.comm))
        let dropped = try EventReader.read(path: p, maxRows: 3, nonFinite: .drop, comm: try Fixtures.comm)
        XCTAssertEqual(dropped.table.values, [1, 2, 5, 6])
        XCTAssertEqual(dropped.totalRows, 2)
        XCTAssertEqual(dropped.droppedRows, 1)
        XCTAssertEqual(dropped.layout.rows, 4)
    }
}
