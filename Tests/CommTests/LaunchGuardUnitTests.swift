import XCTest
@testable import Comm
import Support

/// LaunchGuard's decisions on launch environments, including the ones a test cannot launch for real
/// (a launcher that says size 4 while MPI made a world of 1).
final class LaunchGuardUnitTests: XCTestCase {
    func refused(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let error as InputError {
            XCTAssertEqual(error.exitCode, 64)
            return error.description
        } catch { XCTFail("\(error)"); return nil }
    }

    func testBeforeInitRefusesOnlySlurmTasksWithoutWireUp() {
        XCTAssertNotNil(refused { try LaunchGuard.checkBeforeInit(["SLURM_NTASKS": "2"]) })
        XCTAssertNil(refused { try LaunchGuard.checkBeforeInit(["SLURM_NTASKS": "1"]) })
        XCTAssertNil(refused { try LaunchGuard.checkBeforeInit([:]) })
        for wire in ["PMIX_RANK", "PMI_RANK", "PMI_FD", "OMPI_COMM_WORLD_RANK"] {
            XCTAssertNil(refused { try LaunchGuard.checkBeforeInit(["SLURM_NTASKS": "4", wire: "0"]) }, wire)
        }
    }

    func testAfterInitComparesTheWorldWithTheLauncher() {
        let line = refused { try LaunchGuard.checkAfterInit(worldSize: 1, env: ["OMPI_COMM_WORLD_SIZE": "4", "SLURM_NTASKS": "8"]) }
        XCTAssertEqual(line, "OMPI_COMM_WORLD_SIZE=4 but MPI sees a world of 1 process: the tasks were started without MPI "
                       + "wire-up and would each run the whole job alone; launch with `srun --mpi=pmix` (or mpirun)")
        XCTAssertNotNil(refused { try LaunchGuard.checkAfterInit(worldSize: 1, env: ["PMI_SIZE": "2"]) })
        // mpirun -np 1 inside a larger allocation: the launcher's size wins over SLURM_NTASKS.
        XCTAssertNil(refused { try LaunchGuard.checkAfterInit(worldSize: 1, env: ["OMPI_COMM_WORLD_SIZE": "1", "SLURM_NTASKS": "4"]) })
        XCTAssertNil(refused { try LaunchGuard.checkAfterInit(worldSize: 4, env: ["SLURM_NTASKS": "4"]) })
    }
}
