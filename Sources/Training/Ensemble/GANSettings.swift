import Comm
import EventStore
import Foundation
import NN
import Physics
import Support

/// Every option of `latentsim ensemble` and `train-gan`, resolved (default < job file [ensemble] <
/// command line) and validated; `toml` is the effective configuration stored with the run.
public struct GANSettings {
    public enum Space: String { case latent, full }
    public enum Model: String { case gan, wganGP = "wgan-gp", vae, flow }

    public var data: String
    public var dataset: String
    public var reducer: String?
    public var space: Space
    public var columns: [String]?
    public var rotate: Bool?
    /// space = full only (in latent space the reducer's preprocessing is used): pair_mass,
    /// zero_spike, log1p, quantile and ordered, as in `reduce`.
    public var representation: Representation
    public var holdout: Double
    public var model: Model
    public var steps: Int
    public var snapshotEvery: Int
    public var validationEvents: Int
    public var score: [String]
    /// Whether `score` is the schema's default (neither the job file nor the command line set it):
    /// then it adapts to a table it does not fit (`ScoreChoice`); an explicit score is refused.
    public var scoreIsDefault = false
    /// Per-quantity weights of the score sum (`score_weights`; unnamed quantities count once).
    public var scoreWeights: [String: Double] = [:]
    public var restarts: Int
    public var ranksPerRestart: Int
    /// `ranks_per_restart = "auto"`: the group size is worked out from the world size when the run
    /// starts (`forWorld(size:)`, GANSettings+Ranks.swift); until then `ranksPerRestart` is 0.
    public var ranksPerRestartIsAuto = false
    public var seed: UInt64
    public var batch: Int
    public var noise: Int
    public var generatorWidths: [Int]
    public var discriminatorWidths: [Int]
    public var slope: Float
    public var optimizer: String
    /// Learning-rate schedule over the steps of a restart (LearningRateSchedule): a GAN's best
    /// snapshots come early and later ones drift, which a decaying rate damps.
    public var schedule: String
    public var lr: Double
    public var regression: [DerivedQuantity]
    public var c1: Double
    public var c2: Double
    /// The MMD term (GANSettings+MMD.swift): quantities ([] = off), weight λ, widest bandwidth, kernel
    /// count, and whether the kernel acts on the joint vector of quantities (else on each one, summed).
    public var mmd: [DerivedQuantity] = []
    public var mmdWeight = 1.0, mmdBandwidth = 2.0
    public var mmdKernels = 5
    public var mmdJoint = false
    /// Feature columns under one more kernel, on their joint vector (`mmd_columns`).
    public var mmdColumns: [String] = []
    /// Rows of each sample in the MMD (the generated batch's first, as many real ones).
    public var mmdBatch = 512
    public var gpLambda: Double
    public var criticSteps: Int
    public var vaeLatent: Int
    public var vaeWidths: [Int]
    public var vaeBeta: Double
    public var ema: Double
    public var topK: Int
    public var metric: Leaderboard.Metric
    public var prune: String
    public var dropNonFinite: Bool
    public var out: String
    public var toml: String
    /// `train-gan --restart i`: train only restart i of the ensemble this configuration describes.
    public var only: Int? = nil
    /// Which columns play the physics roles (`[roles]`, `--roles`).
    public var roles = ColumnRoles()
    /// In-process workers per rank, each on its share of the batch with a single-threaded OpenBLAS
    /// (1: one worker). T workers in one process train like T ranks of one worker.
    public var threads: Int = 1
    /// model = flow: the velocity network's hidden widths, the sampler's ODE steps and integrator.
    public var flowWidths: [Int] = [256, 256, 256]
    public var flowSteps: Int = 16
    public var flowIntegrator: FlowIntegrator = .midpoint

    public init(data: String, dataset: String, reducer: String?, space: Space, columns: [String]?, rotate: Bool?, representation: Representation, holdout: Double, model: Model, steps: Int, snapshotEvery: Int, validationEvents: Int, score: [String], restarts: Int, ranksPerRestart: Int, seed: UInt64, batch: Int, noise: Int, generatorWidths: [Int], discriminatorWidths: [Int], slope: Float, optimizer: String, schedule: String, lr: Double, regression: [DerivedQuantity], c1: Double, c2: Double, gpLambda: Double, criticSteps: Int, vaeLatent: Int, vaeWidths: [Int], vaeBeta: Double, ema: Double, topK: Int, metric: Leaderboard.Metric, prune: String, dropNonFinite: Bool, out: String, toml: String, only: Int? = nil, threads: Int = 1) {
        self.data = data
        self.dataset = dataset
        self.reducer = reducer
        self.space = space
        self.columns = columns
        self.rotate = rotate
        self.representation = representation
        self.holdout = holdout
        self.model = model
        self.steps = steps
        self.snapshotEvery = snapshotEvery
        self.validationEvents = validationEvents
        self.score = score
        self.restarts = restarts
        self.ranksPerRestart = ranksPerRestart
        self.seed = seed
        self.batch = batch
        self.noise = noise
        self.generatorWidths = generatorWidths
        self.discriminatorWidths = discriminatorWidths
        self.slope = slope
        self.optimizer = optimizer
        self.schedule = schedule
        self.lr = lr
        self.regression = regression
        self.c1 = c1
        self.c2 = c2
        self.gpLambda = gpLambda
        self.criticSteps = criticSteps
        self.vaeLatent = vaeLatent
        self.vaeWidths = vaeWidths
        self.vaeBeta = vaeBeta
        self.ema = ema
        self.topK = topK
        self.metric = metric
        self.prune = prune
        self.dropNonFinite = dropNonFinite
        self.out = out
        self.toml = toml
        self.only = only
        self.threads = threads
    }

    /// The path of the reducer's model file (`--reducer` names the reduce run directory or the file).
    public var reducerModel: String? {
        guard let reducer else { return nil }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: reducer, isDirectory: &isDirectory), isDirectory.boolValue {
            return (reducer as NSString).appendingPathComponent("model.h5")
        }
        return reducer
    }

    /// Checks values that do not need the data or the world size.
    public func validate() throws {
        func bad(_ text: String) -> InputError { InputError(text, exitCode: ExitStatus.usage) }
        let r = representation, pairMass = r.pairMass
        if !pairMass.isEmpty && pairMass.count != 2 {
            throw bad("pair_mass expects two vector names such as [\"mu1\", \"mu2\"], found \(pairMass.count)")
        }
        let fullOnly = [("pair_mass", pairMass), ("on_shell", r.onShell), ("quantile", r.quantile), ("quantile_spread", r.quantileSpread), ("zero_spike", r.zeroSpike),
                        ("log1p", r.log1p), ("ordered", r.ordered)]
        if space == .latent, let (name, _) = fullOnly.first(where: { !$0.1.isEmpty }) ?? (r.pairPt ? ("pair_pt", []) : nil) {
            throw bad("\(name) applies to space = full; in latent space the reducer's preprocessing is used, so set "
                      + "\(name) in the reduce job (or choose space = full)")
        }
        try r.checkOnShell()
        if space == .latent && reducer == nil {
            throw bad("space = latent needs --reducer RUN (the run directory of `latentsim reduce`); "
                      + "or choose --space full")
        }
        if restarts < 1 { throw bad("restarts must be at least 1, found \(restarts)") }
        if threads < 1 { throw bad("threads must be at least 1, found \(threads); use 1 for one worker per rank or 2 for two") }
        if !ranksPerRestartIsAuto && ranksPerRestart < 1 { throw bad("ranks-per-restart must be at least 1, found \(ranksPerRestart)") }
        if steps < 1 { throw bad("steps must be at least 1, found \(steps)") }
        if snapshotEvery < 1 { throw bad("snapshot-every must be at least 1, found \(snapshotEvery)") }
        if snapshotEvery > steps {
            throw bad("snapshot-every (\(snapshotEvery)) is longer than the run (\(steps) steps): no snapshot would be "
                      + "scored; use --snapshot-every ≤ \(steps)")
        }
        if validationEvents < 2 { throw bad("validation-events must be at least 2, found \(validationEvents)") }
        if score.isEmpty { throw bad("score is empty; name the quantities to score, e.g. --score mll,phi_miss,mu1_iso") }
        if batch < 2 { throw bad("batch must be at least 2 (half real, half generated), found \(batch)") }
        if noise < 1 { throw bad("noise must be at least 1, found \(noise)") }
        for (name, widths) in [("generator_widths", generatorWidths), ("discriminator_widths", discriminatorWidths),
                               ("vae_widths", vaeWidths), ("flow_widths", flowWidths)] where widths.contains(where: { $0 < 1 }) {
            throw bad("\(name) must all be positive, found \(widths.map(String.init).joined(separator: ","))")
        }
        if !["adam", "adadelta", "sgd"].contains(optimizer) {
            throw bad("unknown optimizer '\(optimizer)'; expected one of: adam, adadelta, sgd")
        }
        if !(lr > 0) { throw bad("lr (learning rate) must be positive, found \(lr)") }
        if !LearningRateSchedule.names.contains(schedule) {
            throw bad("unknown schedule '\(schedule)'; expected one of: \(LearningRateSchedule.names.joined(separator: ", "))")
        }
        if let q = regression.first(where: { !$0.isDifferentiable }) {
            throw bad("regression quantity '\(q.rawValue)' is not differentiable; choose among "
                      + DerivedQuantity.allCases.filter(\.isDifferentiable).map(\.rawValue).joined(separator: ", "))
        }
        if !(c1 >= 0 && c2 >= 0) { throw bad("c1 and c2 must be ≥ 0, found \(c1), \(c2)") }
        try validateMMD()
        if criticSteps < 1 { throw bad("critic-steps must be at least 1, found \(criticSteps)") }
        if !(vaeBeta > 0) { throw bad("vae_beta must be positive, found \(vaeBeta)") }
        if vaeLatent < 1 { throw bad("vae-latent must be at least 1, found \(vaeLatent)") }
        if flowSteps < 1 {
            throw bad("flow_steps must be at least 1, found \(flowSteps); the sampler integrates its ODE in that many steps "
                      + "(16 with midpoint is the default)")
        }
        if !(ema >= 0 && ema < 1) { throw bad("ema must be in [0, 1) (0 disables the weight average), found \(ema)") }
        if topK < 1 { throw bad("top-k must be at least 1, found \(topK)") }
        if !["none", "successive-halving"].contains(prune) {
            throw bad("unknown prune '\(prune)'; expected none or successive-halving")
        }
        if !(holdout > 0 && holdout < 1) { throw bad("holdout must be a fraction between 0 and 1, found \(holdout)") }
    }

    /// The seed of restart `index` (a restart's result depends only on it, the config and r).
    public func restartSeed(_ index: Int) -> UInt64 { seed &+ UInt64(index) }

    /// The regression quantities the model trains with: a flow has none (the terms are the GAN's), so
    /// `regression` cannot conflict with its representation. (The VAE ignores them too, but keeps
    /// the older refusals.)
    public var activeRegression: [DerivedQuantity] { model == .flow ? [] : regression }

    /// The restart indices this run trains.
    public var restartIndices: [Int] { only.map { [$0] } ?? Array(0..<restarts) }
}
