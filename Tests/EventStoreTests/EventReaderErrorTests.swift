import Comm
import XCTest
@testable import EventStore
@testable import Support

/// Every bad-input case: the exact one-line message and the exit code.
final class EventReaderErrorTests: XCTestCase {
    func expectError(_ path: String, dataset: String = "events", _ message: String, code: Int32,
                     file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertThrowsError(try EventReader.read(path: path, dataset: dataset, comm: try Fixtures.comm),
                             file: file, line: line) { error in
            XCTAssertEqual((error as? ReportableError)?.description, message, file: file, line: line)
            XCTAssertEqual((error as? ReportableError)?.exitCode, code, file: file, line: line)
        }
    }

    func testMissingFile() throws {
        let p = Fixtures.path("absent.h5")
        try expectError(p, "input file '\(p)' does not exist; check the path", code: 66)
    }

    func testNotHDF5() throws {
        let p = try Fixtures.text("notes.txt", "hello\n")
        try expectError(p, "'\(p)' is not an HDF5 file (no HDF5 signature) and has no .csv extension; "
                        + "pass an HDF5 file or a CSV file with a header row", code: 66)
    }

    func testMissingDataset() throws {
        let p = try Fixtures.matrix("other.h5", columns: ["a"], rows: [[1]], dataset: "table")
        try expectError(p, "'\(p)' has no dataset or group 'events' (found: table); pass --dataset NAME", code: 65)
    }

    func testColumnsAttributeLengthMismatch() throws {
        let p = try Fixtures.matrix("cols.h5", columns: ["a", "b"], rows: [[1, 2, 3]])
        try expectError(p, "'\(p)' dataset 'events': the 'columns' attribute names 2 columns but the dataset has 3; "
                        + "write one name per column", code: 65)
    }

    func testGroupOfUnequalLengths() throws {
        let p = try Fixtures.group("uneq.h5", columns: [("a", [1, 2, 3]), ("b", [1, 2])])
        try expectError(p, "'\(p)' group 'events': column 'b' has 2 rows but 'a' has 3; "
                        + "all columns of a group must have the same length", code: 65)
    }

    func testCSVRaggedRow() throws {
        let p = try Fixtures.text("ragged.csv", "a,b,c\n1,2,3\n4,5\n")
        try expectError(p, "'\(p)' line 3 (row 1): expected 3 cells as in the header, found 2; fix the row or remove it",
                        code: 65)
    }

    func testCSVNonNumericCell() throws {
        let p = try Fixtures.text("text.csv", "a,b\n1,2\n3,4\n5,abc\n")
        try expectError(p, "'\(p)' line 4 (row 2), column 'b': expected a number, found 'abc'; fix the cell", code: 65)
    }

    func testNaNRefusedWithLocation() throws {
        let p = try Fixtures.matrix("nan.h5", columns: ["a", "b"], rows: [[1, 2], [3, .nan], [.infinity, 4]])
        try expectError(p, "'\(p)' dataset 'events' row 1, column 'b': expected a finite value, found nan; "
                        + "clean the input or pass --drop-nonfinite", code: 65)
    }

    func testInfRefusedInCSV() throws {
        let p = try Fixtures.text("inf.csv", "a,b\n1,2\n-inf,4\n")
        try expectError(p, "'\(p)' line 3 (row 1), column 'a': expected a finite value, found -inf; "
                        + "clean the input or pass --drop-nonfinite", code: 65)
    }

    func testZeroRows() throws {
        let p = try Fixtures.matrix("empty.h5", columns: ["a", "b"], rows: [])
        try expectError(p, "'\(p)' dataset 'events' has no rows; expected at least one event", code: 65)
        let c = try Fixtures.text("empty.csv", "a,b\n")
        try expectError(c, "'\(c)' has no rows; expected at least one event", code: 65)
    }

    func testUnwritableOutputDirectory() throws {
        let table = EventTable(columns: ["x"], rows: 1, values: [1])
        XCTAssertThrowsError(try EventWriter.write(table, to: "/proc/latentsim-test/out.h5", attributes: [],
                                                   comm: try Fixtures.comm)) { error in
            XCTAssertEqual((error as? ReportableError)?.exitCode, 73)
            XCTAssertEqual((error as? ReportableError)?.description,
                           "cannot write '/proc/latentsim-test/out.h5': cannot create directory '/proc/latentsim-test' "
                           + "(No such file or directory); choose another output path")
        }
    }
}
