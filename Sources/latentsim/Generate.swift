import ArgumentParser
import Comm
import Foundation
import Generation
import NN
import Support

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate N events with a trained generator into sharded HDF5 files stitched by a virtual-dataset master.",
        discussion: "GEN/shard-00000.h5, … hold float32 /events (the training table's columns, integers integer, mu2_py "
            + "restored with a random azimuth); GEN/events.h5 is a virtual dataset over all of them "
            + "(h5py.File('GEN/events.h5')['events'] from any directory); GEN/manifest.json lists the shards with their "
            + "SHA-256. Event i depends only on (model, seed, i): the output is identical for any number of ranks. Rerunning "
            + "with the same arguments regenerates only missing or damaged shards; `latentsim verify GEN` checks them. "
            + "Events with a column outside the training range widened by --support-margin are redrawn (support guard). "
            + "SIGTERM/SIGUSR1 stop it after the current shard (exit 75; the manifest lists the finished shards).")

    @Option(help: "Model directory: RUN/best of `latentsim ensemble` (generator.h5 [+ reducer.h5]).") var model: String
    @Option(help: "Number of events to generate.") var events: Int
    @Option(help: "Output directory.") var out: String
    @Option(help: "Events per shard file.") var shardEvents = 1_000_000
    @Option(help: "Random seed (noise and azimuth of every event).") var seed: UInt64 = 1
    @Option(help: "shards (files + virtual master) or single (one file written collectively with MPI-IO).")
    var layout = "shards"
    @Flag(help: "Replace an existing output from a different model, seed or size.") var overwrite = false
    @Option(help: "Real events (HDF5/CSV with the training columns): train a real-vs-generated classifier on them (20 % held out for early stopping and Platt calibration: --reweight-holdout) and write each event's DCTR weight D/(1-D), clipped and normalised to mean 1, as a last column `weight`.")
    var reweight: String?
    @Option(help: "Real events (and as many generated ones) the reweighting classifier trains on (default: 100000).")
    var reweightRows: Int?
    @Option(help: "Clip the weights to [1/C, C] before normalising (default: 20).") var reweightClip: Double?
    @Option(help: "Smallest effective sample size (Σw)²/(n·Σw²) the weights may have on the classifier's held-out generated events, in [0, 1): below it the logits are tempered, w = exp(t·logit) with the largest t ≤ 1 that reaches it (default 0: no target).")
    var reweightMinEss: Double?
    @Option(help: "Quantities the reweighting classifier does not see, comma-separated (default: the columns playing mu1_E and mu2_E: without on_shell their generated values are off the mass shell, which no weight can correct, and with it they only repeat the momenta; in both cases leaving them out measured better; '' lets it see everything).")
    var reweightExclude: String?
    @Option(help: "Fraction of each class the reweighting classifier holds out for early stopping, Platt calibration and the ESS target, in [0, 1) (default 0.2; 0: trains every epoch on every row, no calibration).")
    var reweightHoldout: Double?
    @Option(help: "Epochs without a lower held-out loss before the reweighting classifier stops; the best epoch is kept (default 3).")
    var reweightPatience: Int?
    @Option(help: "Hidden layer widths of the reweighting classifier, comma-separated (default 64,64).")
    var reweightHidden: String?
    @Option(help: "Support guard: an event with a column outside the training table's range [min, max] widened by this fraction of max − min on each side is redrawn (the event count is kept; the manifest counts them). Default 0.25; models trained before the range was stored generate without the guard.")
    var supportMargin: Double?
    @Flag(help: "Switch the support guard off: keep every event the model draws, however far outside the training range.")
    var noSupportGuard = false
    @Option(help: "Flow models: ODE steps per event instead of the snapshot's own (flow_steps of its training; more steps, less integration error, proportionally more time).")
    var flowSteps: Int?
    @Option(help: "Flow models: the ODE integrator instead of the snapshot's own: euler (1 network pass per step), midpoint or heun (2).")
    var flowIntegrator: String?
    @Option(help: "Job file (TOML) whose [roles] table says which columns play the physics roles --reweight needs (default: MODEL/config.toml, the run's).")
    var config: String?
    @Option(help: "Physics roles of the table's columns for --reweight, ROLE=COLUMN,... (e.g. mu2_px=px2,mu2_py=py2); overrides [roles] of the job file.")
    var roles: String?

    func run() throws {
        let comm = try Communicator.world()
        var settings = try comm.agree {
            try GenerateSettings(model: model, events: events, out: out, shardEvents: shardEvents, seed: seed,
                                 layout: layout, overwrite: overwrite)
        }
        try comm.agree {
            if let reweightRows, reweightRows <= 0 {
                throw InputError("--reweight-rows must be a positive number of events, found \(reweightRows)", exitCode: ExitStatus.usage)
            }
            if let reweightClip, !(reweightClip > 1 && reweightClip.isFinite) {
                throw InputError("--reweight-clip must be a number above 1 (weights are clipped to [1/C, C]), found \(reweightClip)",
                                 exitCode: ExitStatus.usage)
            }
            if let reweightMinEss, !(reweightMinEss >= 0 && reweightMinEss < 1) {
                throw InputError("--reweight-min-ess must be a fraction in [0, 1) (0: no target), found \(reweightMinEss)",
                                 exitCode: ExitStatus.usage)
            }
            if let reweightHoldout, !(reweightHoldout >= 0 && reweightHoldout < 1) {
                throw InputError("--reweight-holdout must be a fraction in [0, 1) (0: no held-out rows), found \(reweightHoldout)",
                                 exitCode: ExitStatus.usage)
            }
            if let reweightPatience, reweightPatience < 1 {
                throw InputError("--reweight-patience must be a positive number of epochs, found \(reweightPatience)", exitCode: ExitStatus.usage)
            }
            if reweightPatience != nil && reweightHoldout == 0 {
                throw InputError("--reweight-patience needs held-out rows, but --reweight-holdout 0 trains every epoch on every row; "
                                 + "drop one of them", exitCode: ExitStatus.usage)
            }
            if let flowSteps, flowSteps < 1 {
                throw InputError("--flow-steps must be a positive number of ODE steps, found \(flowSteps)", exitCode: ExitStatus.usage)
            }
            if let flowIntegrator, FlowIntegrator(rawValue: flowIntegrator) == nil {
                throw InputError("--flow-integrator must be one of: \(FlowIntegrator.allCases.map(\.rawValue).joined(separator: ", ")); "
                                 + "found '\(flowIntegrator)'", exitCode: ExitStatus.usage)
            }
            if let reweightHidden, Generate.widths(reweightHidden) == nil {
                throw InputError("--reweight-hidden must list positive layer widths, comma-separated (e.g. 64,64), found '\(reweightHidden)'",
                                 exitCode: ExitStatus.usage)
            }
        }
        settings.supportMargin = try comm.agree {
            try GenerateSettings.supportMargin(supportMargin, off: noSupportGuard, source: ("--support-margin", "--no-support-guard"))
        }
        settings.reweight = reweight
        settings.reweightRows = reweightRows
        if let reweightClip { settings.reweighting.maximumWeight = reweightClip }
        if let reweightMinEss { settings.reweighting.minimumESS = reweightMinEss }
        settings.reweighting.excluded = reweightExclude.map { $0.split(separator: ",").map(String.init) }
        if let reweightHoldout { settings.reweighting.validationFraction = reweightHoldout }
        if let reweightPatience { settings.reweighting.patience = reweightPatience }
        if let widths = reweightHidden.flatMap(Generate.widths) { settings.reweighting.classifier.hidden = widths }
        settings.reweightingOptions = [reweightClip.map { _ in "--reweight-clip" }, reweightMinEss.map { _ in "--reweight-min-ess" },
                                       reweightExclude.map { _ in "--reweight-exclude" }, reweightHoldout.map { _ in "--reweight-holdout" },
                                       reweightPatience.map { _ in "--reweight-patience" }, reweightHidden.map { _ in "--reweight-hidden" }]
            .compactMap { $0 }
        settings.flow = GeneratorModel.FlowSampling(steps: flowSteps, integrator: flowIntegrator.flatMap(FlowIntegrator.init(rawValue:)))
        settings.rolesConfig = config
        settings.rolesOption = roles
        StopSignal.install()
        try GenerateStage.run(settings, comm: comm)
    }

    /// "64,64" -> [64, 64]; nil unless every width is a positive integer (and there is one).
    static func widths(_ text: String) -> [Int]? {
        let widths = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !widths.isEmpty, widths.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return widths.compactMap { $0 }
    }
}
