import ArgumentParser
import Comm
import Evaluation
import Foundation
import Generation
import NN
import Support
import Training

@main
struct LatentSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latentsim",
        abstract: "Learn particle-physics event tables in reduced dimensions and generate many more events.",
        discussion: "Runs the same under mpirun, srun and as a single process. Exit codes: 0 success, 64 bad "
            + "command-line value, 65 malformed input data, 66 input missing or unreadable, 69 Python or its plotting "
            + "packages missing (report), 70 MPI/HDF5 failure, 73 output not writable, 75 stopped on a signal with "
            + "progress saved (rerun the same command; reduce with --resume), 78 stopped again without progress since "
            + "the last stop (do not requeue).",
        version: "0.1.0",
        subcommands: [Simulate.self, Inspect.self, Reduce.self, Reconstruct.self, TrainGAN.self, Ensemble.self, Select.self, Generate.self,
                      Verify.self, Evaluate.self, Report.self, Pipeline.self, Study.self, Bench.self, CommCheckCommand.self])

    /// Parses, runs, and turns any error into one line on stderr and the matching exit code. Only the
    /// rank that owns an error prints it; its peers exit with the same code silently.
    static func main() {
        useOptimizedBLASKernels()
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

    /// OpenBLAS picks its kernels when the library loads, from OPENBLAS_CORETYPE or CPU detection.
    /// If detection fell back to a generic kernel on a CPU that has AVX2/AVX-512, restart this
    /// process once with the right OPENBLAS_CORETYPE (before MPI starts; mpirun's variables are
    /// kept). A core type set by the user is always respected.
    static func useOptimizedBLASKernels() {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, let core = BLAS.betterCoreType else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returned: it failed; carry on with the generic kernels.
    }
}
