import ArgumentParser
import Comm
import Support
import Training

struct Select: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-rank an ensemble run's scored snapshots and install the best stored one in RUN/best/ (no retraining).",
        discussion: "Reads RUN/restarts/*/snapshots.jsonl, rewrites RUN/leaderboard.csv and RUN/leaderboard.json in the "
            + "chosen order and replaces RUN/best/ (generator.h5, reducer.h5, config.toml, selection.json) with the best "
            + "snapshot whose checkpoint is still stored and that did not diverge. ks-sum: lowest sum of the score "
            + "quantities' KS statistics. rank-sum: per quantity every non-diverged snapshot is ranked by its KS "
            + "(ties share the average rank); lowest sum of ranks wins. --from PART... first gathers restarts trained as "
            + "separate jobs (a Slurm array of `train-gan --restart I --out PART`) into RUN: RUN/restarts/NNN become "
            + "links to PART/restarts/NNN, and the leaderboard is the one `ensemble` writes for the same configuration.")

    @Argument(help: ArgumentHelp("Ensemble run directory (the --out of `latentsim ensemble`).", valueName: "run"))
    var directory: String
    @Option(help: "ks-sum or rank-sum (default: the metric of RUN/best/selection.json, else ks-sum).")
    var metric: String?
    @Option(help: "Comma-separated quantities to rank on (default: those of RUN/best/selection.json, else the ensemble's score): any column or derived quantity, all = every one of them, classifier = the snapshot classifier's term when it was scored.")
    var score: String?
    @Option(help: "Rows of the leaderboard to print.") var top = 10
    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Run directories of separately trained restarts (train-gan --restart I --out PART) to gather into RUN first.",
        valueName: "part"))
    var from: [String] = []

    func run() throws {
        let comm = try Communicator.world()
        StopSignal.install()
        try SelectStage.run(SelectSettings(run: directory, metric: metric, top: top, from: from, score: Console.commaList(score)),
                            comm: comm, console: Console(comm: comm))
    }
}
