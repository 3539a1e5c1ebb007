import Comm
import XCTest
@testable import EventStore
@testable import Support

final class HDF5ErrorTests: XCTestCase {
    /// A failed HDF5 call becomes a typed error with the call and HDF5's own error-stack messages.
    func testFailedCallCarriesCallNameAndHDF5Message() throws {
        let p = try Fixtures.text("plain.txt", "not hdf5\n")
        XCTAssertThrowsError(try H5File.open(p, comm: nil)) { error in
            let e = error as? HDF5Error
            XCTAssertEqual(e?.call, "H5Fopen('\(p)')")
            XCTAssertEqual(e?.exitCode, 70)
            XCTAssertEqual(e?.message, "unable to open file (file signature not found)")
        }
    }
}
