import CMPI
import XCTest
@testable import Comm
@testable import Support

/// Single-process behaviour of the Communicator (the multi-rank behaviour is tested by launching the
/// binary under mpirun, in CLITests).
final class CommunicatorUnitTests: XCTestCase {
    func testSharesCoverAllRowsContiguouslyAndEvenly() {
        for total in [0, 1, 2, 7, 10, 1001] {
            for size in 1...5 {
                let shares = (0..<size).map { Communicator.share(of: total, rank: $0, size: size) }
                XCTAssertEqual(shares.first?.lowerBound, 0)
                XCTAssertEqual(shares.last?.upperBound, total)
                for (a, b) in zip(shares, shares.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
                let counts = shares.map(\.count)
                XCTAssertLessThanOrEqual(counts.max()! - counts.min()!, 1)
            }
        }
    }

    func testSingleProcessCollectivesAreIdentities() throws {
        let comm = try Communicator.world()
        XCTAssertEqual(comm.size, 1)
        var values: [Float] = [1, 2.5]
        try comm.allreduce(&values, op: .sum)
        XCTAssertEqual(values, [1, 2.5])
        XCTAssertEqual(try comm.broadcast("x"), "x")
        XCTAssertEqual(try comm.gather([Int32(4)]), [4])
        XCTAssertEqual(try comm.minloc(3.5, index: 0).index, 0)
        XCTAssertEqual(try comm.split(color: 0, key: 0).size, 1)
    }

    func testFailedMPICallCarriesCallNameAndMPIMessage() throws {
        let comm = try Communicator.world()
        var value: Int32 = 0
        XCTAssertThrowsError(try mpiCheck(MPI_Bcast(&value, 1, ls_mpi_int32(), 5, comm.handle), "MPI_Bcast")) { error in
            let e = error as? MPIError
            XCTAssertEqual(e?.call, "MPI_Bcast")
            XCTAssertEqual(e?.exitCode, 70)
            XCTAssertEqual(e?.description, "MPI call MPI_Bcast failed with code \(e?.code ?? 0): MPI_ERR_ROOT: invalid root")
        }
    }

    func testAgreeRethrowsLocalErrorOnOneProcess() throws {
        let comm = try Communicator.world()
        XCTAssertThrowsError(try comm.agree { throw InputError("bad", exitCode: 65) }) { error in
            XCTAssertEqual((error as? InputError)?.description, "bad")
        }
        XCTAssertEqual(try comm.agree { 42 }, 42)
    }
}
