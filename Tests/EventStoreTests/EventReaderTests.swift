import Comm
import XCTest
@testable import EventStore
@testable import Support

final class EventReaderTests: XCTestCase {
    let rows: [[Double]] = [[1.5, -2, 3], [4, 5.25, 6], [7, 8, 9], [10, 11, 12.75]]

    func testReadsMatrixLayout() throws {
        let p = try Fixtures.matrix("m.h5", columns: ["a", "b", "c"], rows: rows)
        let r = try EventReader.read(path: p, comm: try Fixtures.comm)
        XCTAssertEqual(r.layout.kind, .matrix)
        XCTAssertEqual(r.layout.storage, "float64")
        XCTAssertEqual(r.table.columns, ["a", "b", "c"])
        XCTAssertEqual(r.table.rows, 4)
        XCTAssertEqual(r.table.values, rows.flatMap { $0 }.map(Float.init))
    }

    func testReadsGroupLayoutInNameOrder() throws {
        let p = try Fixtures.group("g.h5", columns: [("b", [1, 2, 3]), ("a", [4, 5, 6])], dataset: "tree")
        let r = try EventReader.read(path: p, dataset: "tree", comm: try Fixtures.comm)
        XCTAssertEqual(r.layout.kind, .group)
        XCTAssertEqual(r.table.columns, ["a", "b"])
        XCTAssertEqual(r.table.values, [4, 1, 5, 2, 6, 3])
    }

    func testReadsCSVWithHeaderQuotesAndCRLF() throws {
        let p = try Fixtures.text("c.csv", "\"a\", b ,c\r\n1.5,-2,3\r\n4,5.25,6\r\n\n7,8,9\n10,11,12.75\n")
        let r = try EventReader.read(path: p, comm: try Fixtures.comm)
        XCTAssertEqual(r.layout.kind, .csv)
        XCTAssertEqual(r.table.columns, ["a", "b", "c"])
        XCTAssertEqual(r.table.values, rows.flatMap { $0 }.map(Float.init))
    }

    func testDropNonFiniteKeepsCleanRowsAndCounts() throws {
        let p = try Fixtures.text("nan.csv", "a,b\n1,2\nnan,3\n4,inf\n5,6\n")
        let r = try EventReader.read(path: p, nonFinite: .drop, comm: try Fixtures.comm)
        XCTAssertEqual(r.table.values, [1, 2, 5, 6])
        XCTAssertEqual(r.droppedRows, 2)
        XCTAssertEqual(r.totalRows, 2)
    }

    func testWriterRoundTripWithAttributesAndNoLeftovers() throws {
        let table = EventTable(columns: ["x", "nvtx"], rows: 3, values: [1, 2, 3, 4, 5, 6])
        let out = Fixtures.path("sub/dir/w.h5")
        try EventWriter.write(table, to: out, attributes: [("process", .string("dy")), ("seed", .int(7))],
                              comm: try Fixtures.comm)
        let back = try EventReader.read(path: out, comm: try Fixtures.comm)
        XCTAssertEqual(back.table, table)
        XCTAssertEqual(back.layout.storage, "float32")
        let attributes = try EventInfo.attributes(path: out, layout: back.layout)
        XCTAssertEqual(attributes.map { $0.0 }, ["process", "producer", "seed", "version"])
        XCTAssertEqual(attributes.first { $0.0 == "seed" }?.1, .int(7))
        XCTAssertEqual(attributes.first { $0.0 == "producer" }?.1, .string("latentsim"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("sub/dir"))
        XCTAssertEqual(leftovers, ["w.h5"])
    }
}
