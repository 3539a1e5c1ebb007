import ArgumentParser
import Comm
import Evaluation

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a run's HTML report: histograms with ratio panels, correlations, training curves, leaderboard, "
            + "throughput and the classifier study.",
        discussion: "latentsim report RUN writes RUN/report/index.html (open it in a browser) from the files the "
            + "pipeline wrote: evaluation.json, the held-out and generated tables, ensemble/ (snapshots.jsonl, "
            + "leaderboard.json, best/selection.json), generated/manifest.json and reduce/history.jsonl; the study "
            + "curves when STUDY/augment.json (default RUN/study) exists. Per column and physics quantity: real vs "
            + "generated histograms (unit area; the quantities computed from the columns playing their roles, as in `evaluate`) with a generated/real ratio panel, KS and its noise floor in the "
            + "legend; the counts drawn are in report/histograms.json. Drawn by the Python module python/latentsim_report "
            + "(numpy, h5py, matplotlib, mplhep: `bash scripts/setup.sh` installs them; LATENTSIM_PYTHON picks the "
            + "interpreter); without them the command says so and exits 69.")

    @Argument(help: "Run directory: the pipeline's output (or any directory holding evaluation.json).") var runDirectory: String
    @Option(help: "Directory that receives report/ (default: RUN).") var out: String?
    @Option(help: "Study directory holding augment.json and/or latent.json (default: RUN/study when it exists).")
    var study: String?
    @Option(help: "Job file (TOML) whose [roles] table says which columns play the physics roles (default: RUN/ensemble/config.toml, the run's).")
    var config: String?
    @Option(help: RolesHelp.option)
    var roles: String?

    func run() throws {
        let comm = try Communicator.world()
        var settings = ReportSettings(run: runDirectory, out: out, study: study)
        settings.rolesConfig = config
        settings.rolesOption = roles
        try ReportStage.run(settings, comm: comm, console: Console(comm: comm))
    }
}
