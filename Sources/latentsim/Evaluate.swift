import ArgumentParser
import Comm
import Evaluation
import Support

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a generated event table with a real one: KS and Wasserstein distance per column and "
            + "physics quantity, and the largest correlation difference.",
        discussion: "The pipeline's last step, usable alone for any two tables. Per column (default: those common to "
            + "both tables, in the real table's order) and per physics quantity computable from them (mll, ptll, met, "
            + "phi_miss, dphi_ll, njets): two-sample KS statistic and p-value, and the 1-D Wasserstein distance. "
            + "Each KS is shown against its noise floor (the KS of two random halves of the real rows, rescaled by "
            + "sqrt((n+m)/(n·m)) to the sizes compared) and the asymptotic 5 % critical value 1.3581·sqrt((n+m)/(n·m)). "
            + "ks_sum_paper = KS(mll) + KS(phi_miss) + KS(mu1_iso) when all three are computable. The classifier "
            + "two-sample test trains an MLP (3 × 128 by default) on every column, derived quantity and muon mass squared, "
            + "with each event rotated so that mu2's azimuth is 0 (--no-classifier-frame: raw px/py), of "
            + "55 % of the --classifier-rows rows, stops when the cross-entropy on 15 % has not fallen for "
            + "--classifier-patience epochs, and reports its AUC on the other 30 % with the std over 200 bootstrap "
            + "resamples of them; evaluation.json's `classifier` member records the test's settings. Under mpirun "
            + "each rank reads a share of the rows; rank 0 computes, prints and writes the JSON report, which is "
            + "byte-identical for any rank count.")

    @Option(help: "Real (reference) events: HDF5 or CSV file.") var real: String
    @Option(help: "Generated events: the directory `latentsim generate` wrote (its events.h5 is read), or a table file.")
    var generated: String
    @Option(help: "Dataset or group holding each table (HDF5).") var dataset = "events"
    @Option(help: "Comma-separated columns to compare (default: every column both tables have).") var columns: String?
    @Option(help: "Use only the first N rows of each table.") var maxRows = 1_000_000
    @Option(help: "JSON report (default: GEN/evaluation.json when --generated is a directory, else none).")
    var out: String?
    @Flag(help: "Drop rows holding NaN or Inf instead of refusing the table.") var dropNonfinite = false
    @Option(help: "Rows per table for the classifier two-sample test (0 skips it); 30 % of them measure the AUC, 15 % stop the training.")
    var classifierRows = ClassifierTwoSample.defaultRows
    @Option(help: "Units per hidden layer of the classifier.") var classifierWidth = ClassifierTwoSample.defaultClassifier.hidden[0]
    @Option(help: "Hidden layers of the classifier.") var classifierDepth = ClassifierTwoSample.defaultClassifier.hidden.count
    @Option(help: "Largest number of training epochs of the classifier (it stops sooner, see --classifier-patience).")
    var classifierEpochs = ClassifierTwoSample.defaultClassifier.epochs
    @Option(help: "Epochs without a lower validation cross-entropy before the classifier stops (its best epoch is kept).")
    var classifierPatience = ClassifierTwoSample.defaultPatience
    @Option(help: "Seed of the classifier's split, initialisation, batch order and AUC bootstrap.") var classifierSeed: UInt64 = 1
    @Flag(inversion: .prefixedNo, help: "Show the classifier each muon's mass squared E² − |p|² besides the quantities.")
    var classifierMuonMasses = true
    @Flag(inversion: .prefixedNo, help: "Show the classifier each event rotated so that mu2's azimuth is 0 (transverse momenta and angles relative to mu2).")
    var classifierFrame = true
    @Option(help: "Job file (TOML) whose [roles] table says which columns play the physics roles.") var config: String?
    @Option(help: RolesHelp.option) var roles: String?

    func run() throws {
        let comm = try Communicator.world()
        var settings = EvaluateSettings(real: real, generated: generated, dataset: dataset, columns: columns, maxRows: maxRows,
                                        out: out, dropNonFinite: dropNonfinite)
        settings.classifier.rows = classifierRows
        settings.classifier.muonMasses = classifierMuonMasses
        settings.classifier.frame = classifierFrame
        settings.classifier.patience = classifierPatience
        settings.classifier = try comm.agree {
            try settings.classifier.with(width: classifierWidth, depth: classifierDepth, epochs: classifierEpochs, seed: classifierSeed)
        }
        settings.roles = try comm.agree { try ColumnRoles.load(job: config, cli: roles) }
        StopSignal.install()
        try EvaluateStage.run(settings, comm: comm, console: Console(comm: comm))
    }
}
