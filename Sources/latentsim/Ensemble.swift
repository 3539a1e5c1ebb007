import ArgumentParser
import Comm
import Evaluation
import Foundation
import Generation
import Support
import Training

struct Ensemble: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train many GAN (or VAE) restarts in parallel groups and select the best snapshot by KS.",
        discussion: "mpirun -np R latentsim ensemble --config jobs/dy_gan.toml --restarts M --ranks-per-restart r --out RUN/. "
            + "Writes RUN/restarts/NNN/ (snapshots.jsonl, the top-k snapshot-*.h5, state.h5, result.json), "
            + "RUN/leaderboard.csv and .json, and RUN/best/ (generator.h5, reducer.h5, config.toml, selection.json); "
            + "in full space also RUN/heldout.h5 (the held-out rows, never trained on: evaluate generated events against it). "
            + "Rerunning the same command resumes: finished restarts are skipped, unfinished ones continue from state.h5.")

    @OptionGroup var options: EnsembleOptions

    func run() throws {
        let world = try Communicator.world()
        let console = Console(comm: world)
        let settings = try world.agree { try options.resolve() }
        StopSignal.install()
        try EnsembleRun.run(settings, world: world, console: console)
    }
}

struct TrainGAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-gan",
        abstract: "Train one GAN (or VAE) restart data-parallel on every rank, scoring snapshots by KS.",
        discussion: "The same as `ensemble --restarts 1 --ranks-per-restart <all ranks>`, with the same run directory "
            + "layout and RUN/best/. --restart i trains restart i of the ensemble the options describe (seed = seed + i).")

    @OptionGroup var options: EnsembleOptions
    @Option(help: "Index of the restart to train (default 0; its seed is seed + index).") var restart: Int = 0

    func run() throws {
        let world = try Communicator.world()
        let console = Console(comm: world)
        var settings = try world.agree { () -> GANSettings in
            guard restart >= 0 else {
                throw InputError("--restart must be ≥ 0, found \(restart)", exitCode: ExitStatus.usage)
            }
            let s = try options.resolve()
            guard restart < s.restarts else {
                throw InputError("--restart \(restart) is not a restart of this ensemble (restarts = \(s.restarts): indices 0…"
                                 + "\(s.restarts - 1)); raise restarts or give the Slurm array fewer tasks", exitCode: ExitStatus.usage)
            }
            return s
        }
        settings.only = restart
        settings.restarts = 1
        settings.ranksPerRestart = world.size
        StopSignal.install()
        try EnsembleRun.run(settings, world: world, console: console)
    }
}
