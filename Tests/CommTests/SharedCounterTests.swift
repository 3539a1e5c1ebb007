import XCTest
@testable import Comm
@testable import Support

/// SharedCounter as a single process (no mpirun); the multi-rank contention test launches the
/// binary's `comm-check` under mpirun (CLITests/CommunicatorTests).
final class SharedCounterTests: XCTestCase {
    func testDrawsStartAtTheStartValueAndIncreaseByOne() throws {
        for comm in [try Communicator.world(), try Communicator.selfOnly()] {
            let counter = try SharedCounter(comm: comm, start: 41)
            XCTAssertEqual(try (0..<5).map { _ in try counter.next() }, [41, 42, 43, 44, 45])
            try counter.free()
        }
    }

    func testTwoCountersAreIndependent() throws {
        let comm = try Communicator.world()
        let a = try SharedCounter(comm: comm), b = try SharedCounter(comm: comm, start: 100)
        XCTAssertEqual(try a.next(), 0)
        XCTAssertEqual(try b.next(), 100)
        XCTAssertEqual(try a.next(), 1)
        try a.free()
        try b.free()
    }

    func testAddReturnsThePreviousTotalAndZeroReadsIt() throws {
        let counter = try SharedCounter(comm: try Communicator.world(), start: 7)
        XCTAssertEqual(try counter.add(4096), 7)
        XCTAssertEqual(try counter.add(0), 4103)
        XCTAssertEqual(try counter.next(), 4103)
        XCTAssertEqual(try counter.add(-4), 4104)
        XCTAssertEqual(try counter.add(0), 4100)
        try counter.free()
        XCTAssertThrowsError(try counter.add(1)) { error in
            XCTAssertEqual((error as? InputError)?.description, "SharedCounter.add() called after free()")
        }
    }

    func testDrawAfterFreeThrowsAndFreeIsIdempotent() throws {
        let counter = try SharedCounter(comm: try Communicator.world())
        try counter.free()
        try counter.free()
        XCTAssertThrowsError(try counter.next()) { error in
            XCTAssertEqual((error as? InputError)?.description, "SharedCounter.next() called after free()")
            XCTAssertEqual((error as? InputError)?.exitCode, 70)
        }
    }
}
