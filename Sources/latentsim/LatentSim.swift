import ArgumentParser
import Comm
import Foundation

@main
struct LatentSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latentsim",
        abstract: "Learn particle-physics event tables in reduced dimensions and generate many more events.",
        discussion: "Runs the same under mpirun, srun and as a single process. Exit codes: 0 success, 64 bad "
            + "command-line value, 65 malformed input data, 66 input missing or unreadable, 70 MPI/HDF5 failure, "
            + "73 output not writable, 75 checkpointed on a signal (rerun with --resume).",
        version: "0.1.0",
        subcommands: [Simulate.self, Inspect.self, Reduce.self, TrainGAN.self, Ensemble.self, Select.self, Generate.self, Verify.self, Bench.self, CommCheck.self])

    /// Parses, runs, and turns any error into one line on stderr and the matching exit code. Only the
    /// rank that owns an error prints it; its peers exit with the same code silently.
    static func main() {
        let code: Int32
        do {
            var command = try parseAsRoot()
            try command.run()
            code = 0
        } catch let error as PeerFailure {
            code = error.exitCode
        } catch let error as ReportableError {
            FileHandle.standardError.write(Data("\(error.label): \(error.description)\n".utf8))
            code = error.exitCode
        } catch {
            MPIRuntime.finalize()
            exit(withError: error)
        }
        MPIRuntime.finalize()
        Foundation.exit(code)
    }
}
