import Comm
import EventStore
import Foundation
import Physics
import Support

/// Every option of `latentsim reduce`, resolved (built-in default < job file < command line) and
/// validated; `toml` is the effective configuration, stored with the run.
public struct ReduceSettings {
    public var data: String
    public var dataset: String
    public var columns: [String]
    public var method: Reducer.Method
    public var latent: Int
    public var epochs: Int
    public var steps: Int?
    public var batch: Int
    /// In-process worker threads per rank (1: the serial step).
    public var threads: Int
    public var seed: UInt64
    public var widths: [Int]
    public var lr: Double
    public var optimizer: String
    public var schedule: String
    public var holdout: Double
    public var checkpointEvery: Int
    public var rotate: Bool?
    /// pair_mass, zero_spike, log1p and quantile.
    public var representation: Representation
    /// Features carried into the latent space unchanged, counted in `latent` (KeptFeatures).
    public var keep: [String]
    /// Derived quantities (e.g. mll) whose per-event reconstruction error, in units of the quantity's
    /// spread, is added to the autoencoder's loss with weight `derivedWeight` (DerivedLoss).
    public var derivedLoss: [String]
    public var derivedWeight: Double
    public var dropNonFinite: Bool
    public var out: String
    public var resume: Bool
    public var toml: String
    /// Which columns play the physics roles (`[roles]`, `--roles`).
    public var roles = ColumnRoles()

    public init(data: String, dataset: String, columns: [String], method: Reducer.Method, latent: Int, epochs: Int, steps: Int?, batch: Int, threads: Int, seed: UInt64, widths: [Int], lr: Double, optimizer: String, schedule: String, holdout: Double, checkpointEvery: Int, rotate: Bool?, representation: Representation, keep: [String], derivedLoss: [String], derivedWeight: Double, dropNonFinite: Bool, out: String, resume: Bool, toml: String) {
        self.data = data
        self.dataset = dataset
        self.columns = columns
        self.method = method
        self.latent = latent
        self.epochs = epochs
        self.steps = steps
        self.batch = batch
        self.threads = threads
        self.seed = seed
        self.widths = widths
        self.lr = lr
        self.optimizer = optimizer
        self.schedule = schedule
        self.holdout = holdout
        self.checkpointEvery = checkpointEvery
        self.rotate = rotate
        self.representation = representation
        self.keep = keep
        self.derivedLoss = derivedLoss
        self.derivedWeight = derivedWeight
        self.dropNonFinite = dropNonFinite
        self.out = out
        self.resume = resume
        self.toml = toml
    }

    /// Checks values that do not need the data (columns and n < k are checked once the file is open).
    public func validate() throws {
        func bad(_ text: String) -> InputError { InputError(text, exitCode: ExitStatus.usage) }
        if columns.isEmpty { throw bad("columns is empty; list the features to reduce, e.g. --columns mu1_E,mu1_px") }
        if latent < 1 { throw bad("latent must be at least 1, found \(latent)") }
        if let twice = keep.enumerated().first(where: { keep.prefix($0.offset).contains($0.element) }) {
            throw bad("keep lists '\(twice.element)' twice; list each feature once")
        }
        if keep.count >= latent {
            throw bad("latent = \(latent) counts the \(keep.count) kept feature(s) (\(keep.joined(separator: ","))) and must exceed "
                      + "that number to leave learned codes; raise latent or keep fewer features")
        }
        if epochs < 1 { throw bad("epochs must be at least 1, found \(epochs)") }
        if let steps, steps < 1 { throw bad("steps must be at least 1, found \(steps)") }
        if batch < 1 { throw bad("batch must be at least 1, found \(batch)") }
        if threads < 1 { throw bad("threads must be at least 1, found \(threads); use 1 for the serial step or 2 for two workers") }
        if widths.isEmpty && method == .ae { throw bad("widths is empty; give the encoder's hidden widths, e.g. --widths 512,128,64,8") }
        if let w = widths.first(where: { $0 < 1 }) {
            throw bad("widths must all be positive, found \(w) in \(widths.map(String.init).joined(separator: ","))")
        }
        if !(lr > 0) { throw bad("lr (learning rate) must be positive, found \(lr)") }
        if !["adam", "adadelta", "sgd"].contains(optimizer) {
            throw bad("unknown optimizer '\(optimizer)'; expected one of: adam, adadelta, sgd")
        }
        if !LearningRateSchedule.names.contains(schedule) {
            throw bad("unknown schedule '\(schedule)'; expected one of: cosine, constant")
        }
        if !(holdout > 0 && holdout < 1) { throw bad("holdout must be a fraction between 0 and 1, found \(holdout)") }
        let pairMass = representation.pairMass
        if !pairMass.isEmpty && pairMass.count != 2 {
            throw bad("pair_mass expects two vector names such as mu1,mu2, found \(pairMass.count): \(pairMass.joined(separator: ","))")
        }
        try representation.checkOnShell()
        for name in derivedLoss {
            let usable = DerivedQuantity.allCases.filter(\.isDifferentiable).map(\.rawValue)
            guard usable.contains(name) else {
                throw bad("derived_loss quantity '\(name)': expected one of \(usable.joined(separator: ", ")); fix the name")
            }
        }
        if !derivedLoss.isEmpty && threads > 1 {
            throw bad("derived_loss runs on the serial step, found threads = \(threads); use threads = 1 (or more MPI ranks)")
        }
        if !(derivedWeight >= 0) { throw bad("derived_weight must be ≥ 0, found \(derivedWeight)") }
        if checkpointEvery < 1 { throw bad("checkpoint_every must be at least 1, found \(checkpointEvery)") }
    }
}
