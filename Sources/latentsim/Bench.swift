import ArgumentParser
import Comm
import Generation
import Workflows

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training throughput: the default autoencoder, the DY-GAN step (N = 17, 7) and the sgemm ceiling.",
        discussion: "Run alone for the per-thread records; under `mpirun -np 2` for the data-parallel GAN step and "
            + "its allreduce share. Figures only: a slow machine never fails anything. Compare with "
            + "benchmarks/peer_torch.py and benchmarks/peer_jax.py (same JSON lines).")

    @Option(help: "Comma-separated thread counts.") var threads = "1,2"
    @Option(help: "How a step uses more than 1 thread: workers (T single-threaded BLAS workers on row blocks, as `--threads` of reduce) or blas (the serial step on an OpenBLAS with T threads).")
    var threadMode = "workers"
    @Option(help: "Minimum measuring time per figure, seconds.") var seconds = 2.0
    @Option(help: "Comma-separated records to measure: ae, gan17, gan7, sgemm (sgemm is the gan17 shapes' ceiling).")
    var models = "ae,gan17,gan7,sgemm"
    @Flag(help: "One JSON object per line instead of a table.") var json = false
    @Flag(help: "Generation instead of training: events/s of the gen17 and latent generators, compute only and into HDF5 shards.")
    var generate = false
    @Flag(help: ArgumentHelp("Table mode: split each selected step's time into sgemm, elementwise sweeps, optimizer and rest; "
                             + "with --generate, each generation stage's CPU time (noise, networks, post-processing, HDF5 write, SHA-256)."))
    var breakdown = false
    @Option(help: "With --generate: events per network batch (default: what `generate` uses).")
    var chunk = GeneratorModel.defaultChunk

    func run() throws {
        let comm = try Communicator.world()
        try BenchRun(threads: threads, threadMode: threadMode, seconds: seconds, models: models, json: json, generate: generate,
                     breakdown: breakdown, chunk: chunk).run(comm: comm, console: Console(comm: comm))
    }
}
