import Comm
import EventStore
import Foundation
import Physics

/// Every option of `latentsim ensemble` and `train-gan`, resolved (default < job file [ensemble] <
/// command line) and validated; `toml` is the effective configuration stored with the run.
struct GANSettings {
    enum Space: String { case latent, full }
    enum Model: String { case gan, wganGP = "wgan-gp", vae }

    var data: String
    var dataset: String
    var reducer: String?
    var space: Space
    var columns: [String]?
    var rotate: Bool?
    /// space = full only (in latent space the reducer's preprocessing is used): pair_mass,
    /// zero_spike, log1p and quantile, as in `reduce`.
    var representation: Representation
    var holdout: Double
    var model: Model
    var steps: Int
    var snapshotEvery: Int
    var validationEvents: Int
    var score: [String]
    var restarts: Int
    var ranksPerRestart: Int
    var seed: UInt64
    var batch: Int
    var noise: Int
    var generatorWidths: [Int]
    var discriminatorWidths: [Int]
    var slope: Float
    var optimizer: String
    /// Learning-rate schedule over the steps of a restart (LearningRateSchedule): a GAN's best
    /// snapshots come early and later ones drift, which a decaying rate damps.
    var schedule: String
    var lr: Double
    var regression: [DerivedQuantity]
    var c1: Double
    var c2: Double
    var gpLambda: Double
    var criticSteps: Int
    var vaeLatent: Int
    var vaeWidths: [Int]
    var vaeBeta: Double
    var ema: Double
    var topK: Int
    var metric: Leaderboard.Metric
    var prune: String
    var dropNonFinite: Bool
    var out: String
    var toml: String
    /// `train-gan --restart i`: train only restart i of the ensemble this configuration describes.
    var only: Int? = nil

    /// The path of the reducer's model file (`--reducer` names the reduce run directory or the file).
    var reducerModel: String? {
        guard let reducer else { return nil }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: reducer, isDirectory: &isDirectory), isDirectory.boolValue {
            return (reducer as NSString).appendingPathComponent("model.h5")
        }
        return reducer
    }

    /// Checks values that do not need the data or the world size.
    func validate() throws {
        func bad(_ text: String) -> InputError { InputError(text, exitCode: ExitStatus.usage) }
        let r = representation, pairMass = r.pairMass
        if !pairMass.isEmpty && pairMass.count != 2 {
            throw bad("pair_mass expects two vector names such as [\"mu1\", \"mu2\"], found \(pairMass.count)")
        }
        if space == .full && !pairMass.isEmpty && !regression.isEmpty {
            throw bad("pair_mass makes the pair mass a feature, and the regression terms cannot be differentiated through it; "
                      + "set regression = [] (the GAN learns mll's distribution directly)")
        }
        let fullOnly = [("pair_mass", pairMass), ("quantile", r.quantile), ("quantile_spread", r.quantileSpread), ("zero_spike", r.zeroSpike), ("log1p", r.log1p)]
        if space == .latent, let (name, _) = fullOnly.first(where: { !$0.1.isEmpty }) {
            throw bad("\(name) applies to space = full; in latent space the reducer's preprocessing is used, so set "
                      + "\(name) in the reduce job (or choose space = full)")
        }
        if space == .latent && reducer == nil {
            throw bad("space = latent needs --reducer RUN (the run directory of `latentsim reduce`); "
                      + "or choose --space full")
        }
        if restarts < 1 { throw bad("restarts must be at least 1, found \(restarts)") }
        if ranksPerRestart < 1 { throw bad("ranks-per-restart must be at least 1, found \(ranksPerRestart)") }
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
                               ("vae_widths", vaeWidths)] where widths.contains(where: { $0 < 1 }) {
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
        if criticSteps < 1 { throw bad("critic-steps must be at least 1, found \(criticSteps)") }
        if !(vaeBeta > 0) { throw bad("vae_beta must be positive, found \(vaeBeta)") }
        if vaeLatent < 1 { throw bad("vae-latent must be at least 1, found \(vaeLatent)") }
        if !(ema >= 0 && ema < 1) { throw bad("ema must be in [0, 1) (0 disables the weight average), found \(ema)") }
        if topK < 1 { throw bad("top-k must be at least 1, found \(topK)") }
        if !["none", "successive-halving"].contains(prune) {
            throw bad("unknown prune '\(prune)'; expected none or successive-halving")
        }
        if !(holdout > 0 && holdout < 1) { throw bad("holdout must be a fraction between 0 and 1, found \(holdout)") }
    }

    /// Checks that need the world size: r divides R.
    func checkRanks(worldSize: Int) throws {
        guard worldSize % ranksPerRestart == 0 else {
            throw InputError("ranks-per-restart = \(ranksPerRestart) does not divide the \(worldSize) MPI ranks; "
                             + "use an r that divides \(worldSize) or run with a multiple of \(ranksPerRestart) ranks",
                             exitCode: ExitStatus.usage)
        }
    }

    /// The seed of restart `index` (a restart's result depends only on it, the config and r).
    func restartSeed(_ index: Int) -> UInt64 { seed &+ UInt64(index) }

    /// The restart indices this run trains.
    var restartIndices: [Int] { only.map { [$0] } ?? Array(0..<restarts) }
}
