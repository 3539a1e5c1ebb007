import ArgumentParser
import Comm
import Evaluation
import Support
import Workflows

struct Study: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classifier studies: are generated events worth real ones (augment), and do the latent variables keep the signal (latent)?",
        subcommands: [StudyAugment.self, StudyLatent.self])
}

struct StudyAugment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Signal-vs-background AUC with (a) N real, (b) N real + M generated, (c) M generated background events.",
        discussion: "mpirun -np 2 latentsim study augment --config jobs/study_quick.toml. For every N of [study] n_real and "
            + "every seed, a generator ensemble ([ensemble], and [reduce] for space = latent; without an [ensemble] table a "
            + "small full-space GAN ensemble) is trained on those N real background events only; the classifier is trained "
            + "on the same signal rows against (a), (b), (c) for every M/N of [study] ratios and measured on an independent "
            + "real test set (a fresh simulation with test_seed, or held-out rows). Writes STUDY/augment.json: AUC mean and "
            + "std over seeds, and the amplification factor N′/N, N′ the real size whose (a) AUC equals (b)'s (arXiv:2008.06545). "
            + "Grid points are dealt to ranks and seeded by their index: any rank count gives the same file. SIGTERM/SIGUSR1 "
            + "stop it at the next grid point boundary (or inside a point at its reducer's or ensemble's next step) with "
            + "exit 75; rerunning the same command keeps the finished points (STUDY/points/pI/result.json) and redoes the rest.")

    @Option(help: "Job file with a [study] table (and [ensemble]/[reduce]); none: the built-in defaults.") var config: String?
    @Option(help: "Study directory (default: [study] out, else runs/study).") var out: String?

    func run() throws {
        let comm = try Communicator.world()
        let settings = try comm.agree { try StudySettings.load(job: config, out: out) }
        StopSignal.install()
        try AugmentStudy.run(settings, comm: comm, console: Console(comm: comm))
    }
}

struct StudyLatent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latent",
        abstract: "Signal-vs-background AUC on a reducer's n latent variables next to its k features.",
        discussion: "latentsim study latent --reducer runs/reduce --out runs/study. Signal and background (built-in "
            + "processes, or tables with the reducer's columns) are both encoded by the reducer; the same classifier is "
            + "trained on the latent variables and on the features for every seed and tested on fresh events. Writes "
            + "STUDY/latent.json {\"auc\": {\"features\": [mean, std], \"latent\": [mean, std]}, \"latent\": n, \"features\": k}. "
            + "Each (seed, input) classifier is dealt to a rank and seeded by its seed: any rank count gives the same file. "
            + "SIGTERM/SIGUSR1 stop it after the running classifiers with exit 75; rerunning the same command keeps the "
            + "finished ones (STUDY/latent-points/pI/result.json) and trains the rest.")

    @Option(help: "Reducer run directory (the --out of `latentsim reduce`).") var reducer: String
    @Option(help: "Study directory for latent.json.") var out: String
    @Option(help: "Signal: a built-in process or a table path.") var signal = "zh-inv"
    @Option(help: "Background: a built-in process or a table path.") var background = "dy"
    @Option(help: "Training events per class and seed.") var events = 20_000
    @Option(help: "Test events per class.") var testEvents = 50_000
    @Option(help: "Seeds (repetitions) for the spread.") var seeds = 3
    @Option(help: "Seed of the training samples and classifiers.") var seed: UInt64 = 1
    @Option(help: "Simulation seed of the test set.") var testSeed: UInt64 = 1001
    @Option(help: "Classifier optimizer steps.") var steps = 4000

    func run() throws {
        let comm = try Communicator.world()
        var s = LatentStudySettings(reducer: reducer, out: out)
        s.signal = signal
        s.background = background
        s.events = events
        s.testEvents = testEvents
        s.seeds = seeds
        s.seed = seed
        s.testSeed = testSeed
        s.classifier.steps = steps
        StopSignal.install()
        try LatentStudy.run(s, comm: comm, console: Console(comm: comm))
    }
}
