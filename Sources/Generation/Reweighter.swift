import Comm
import EventStore
import Foundation
import NN
import Physics
import Support

/// DCTR-style reweighting of generated events: a classifier D trained to tell real events (label 1)
/// from the selected generator's events (label 0), in equal numbers, estimates p_real/p_gen as
/// D/(1 − D) = exp(logit). Each generated event gets w = exp(a·logit + b), with (a, b) the Platt
/// calibration fitted on held-out rows (`Reweighter+Training`), clipped to
/// [1/maximumWeight, maximumWeight], divided by the mean of the clipped weights over the
/// classifier's own generated sample (so the weights have mean 1 there, and ≈ 1 over any large
/// output). The classifier sees every column and every derived quantity the columns allow, with
/// transverse momenta in the frame of mu2's azimuth (`Reweighter+Frame`); which columns are mu2's
/// px and py and feed the derived quantities is said by the column roles (`ColumnRoles`).
///
/// Trained by rank 0 (one process, fixed split and batch order: deterministic for a seed) on the
/// first `rows` rows of the real table and `rows` generated events of the seed's own stream
/// (`trainingSeed`); its parameters, feature scaling, calibration and normalisation are broadcast,
/// so every rank weighs with the same bits. An event's weight depends only on the event: the shards
/// are bitwise the same for any rank count.
public final class Reweighter {
    /// How the classifier is trained and its logits turned into weights.
    public struct Settings: Equatable {
        /// Network (`--reweight-hidden`), optimizer, batch and the largest number of epochs.
        public var classifier = BinaryClassifier.Settings(epochs: 30, batch: 256, hidden: [64, 64], learningRate: 1e-3)
        /// Fraction of each class held out for early stopping, calibration and the ESS target (0: train every
        /// epoch on every row, no calibration; the ESS target is then measured on the training sample;
        /// `--reweight-holdout`).
        public var validationFraction = 0.2
        /// Epochs without a lower held-out loss before training stops (the best epoch's parameters are
        /// kept; `--reweight-patience`).
        public var patience = 3
        /// Platt calibration of the logits (a·logit + b) on the held-out rows.
        public var calibrate = true
        /// Weights are clipped to [1/maximumWeight, maximumWeight] before normalising (`--reweight-clip`).
        public var maximumWeight = 20.0
        /// Smallest effective sample size (Σw)²/Σw² per event the weights may have on the held-out generated
        /// events (`--reweight-min-ess`; 0: no target): below it, the calibrated logits are tempered,
        /// w = exp(t·logit) with the largest t in (0, 1] that reaches it (`Reweighter+Calibration`).
        public var minimumESS = 0.0
        /// Quantities (columns or derived) the classifier does not see (`--reweight-exclude`); nil: the
        /// columns playing mu1_E and mu2_E (`onShellEnergies`).
        public var excluded: [String]? = nil

        public init() {}

        /// What the weights depend on besides the real table and the seed, for the output's model hash,
        /// with `hidden` the quantities the classifier does not see (`Reweighter.fingerprint` resolves them).
        func fingerprint(hidden: String) -> String {
            let h = classifier.hidden.map(String.init).joined(separator: "x")
            return "e\(classifier.epochs)b\(classifier.batch)h\(h)v\(validationFraction)p\(patience)c\(calibrate ? 1 : 0)"
                + "w\(maximumWeight)s\(minimumESS)x\(hidden)"
        }
    }

    /// `settings`' part of the output's model hash for a model with `columns` under `roles`. The
    /// quantities left out are spelled by what they are, not how they were asked for: the default
    /// selection as "energies" (as before `--reweight-exclude` existed, so such outputs keep their
    /// hash), and so is a named list that selects the same quantities (`mu2_E,mu1_E`, the columns
    /// playing those roles); any other list in the quantities' order, without repeats.
    public static func fingerprint(_ settings: Settings, columns: [String], roles: ColumnRoles) -> String {
        let columns = columns.filter { $0 != column }
        let all = quantities(columns, roles: roles)
        let chosen = Set(hidden(settings, quantities: all, columns: columns, roles: roles))
        var standard = settings
        standard.excluded = nil
        let byDefault = Set(hidden(standard, quantities: all, columns: columns, roles: roles))
        return settings.fingerprint(hidden: chosen == byDefault ? "energies" : all.filter(chosen.contains).joined(separator: "+"))
    }

    public static let standard = Settings()
    /// The roles whose columns the classifier does not see by default: the muons' energies. Real muons
    /// are on the mass shell (E = √(p² + m²) to 1e-5), while a generator's E − |p| scatters by a few %:
    /// a support mismatch no weight can correct, which a good classifier finds and which then drives
    /// the effective sample size down (measured on the GAN quickstart: excluding them improved the weighted AUC,
    /// ESS, KS sum and correlation difference). With `on_shell` (the flow quickstart) they are functions of the
    /// momenta; leaving them out still gave the lower held-out loss, KS sum and correlation difference on both
    /// picks measured, with the AUCs mixed (README, generate).
    public static let onShellEnergies = ["mu1_E", "mu2_E"]
    /// The default clip (`Settings.maximumWeight`).
    public static let maximumWeight = standard.maximumWeight
    /// The column the weights go to in every shard.
    public static let column = "weight"

    /// The quantities the classifier sees (the generator's columns, then derived quantities).
    public let names: [String]
    /// Which columns play the physics roles (the frame's reference, the derived quantities' inputs).
    public let roles: ColumnRoles
    public let classifier: BinaryClassifier
    public let scaling: FeatureScaling
    /// Platt calibration times the ESS tempering: the weight is exp(scale·logit + offset) before
    /// clipping ((1, 0) without either).
    public let calibration: (scale: Double, offset: Double)
    /// The tempering exponent the ESS target needed (1: none).
    public let tempering: Double
    /// The clip of the weights before normalising.
    public let maximumWeight: Double
    /// Mean of the clipped weights over the training sample's generated events.
    public let normalisation: Double
    /// Rows of each class it was trained on (with the held-out ones).
    public let rows: Int
    /// Epochs trained (the best epoch's parameters are kept) and the held-out loss there (NaN without a held-out split).
    public let epochs: Int
    public let validationLoss: Double

    init(names: [String], roles: ColumnRoles, classifier: BinaryClassifier, scaling: FeatureScaling,
         calibration: (scale: Double, offset: Double), tempering: Double = 1, maximumWeight: Double, normalisation: Double, rows: Int,
         epochs: Int, validationLoss: Double) {
        self.names = names
        self.roles = roles
        self.classifier = classifier
        self.scaling = scaling
        self.calibration = calibration
        self.tempering = tempering
        self.maximumWeight = maximumWeight
        self.normalisation = normalisation
        self.rows = rows
        self.epochs = epochs
        self.validationLoss = validationLoss
    }

    /// The generated events' seed: the run's seed with its own offset ("RWGT"), so the training
    /// sample is not the output's first events.
    public static func trainingSeed(_ seed: UInt64) -> UInt64 { seed ^ 0x5257_4754_0000_0000 }

    /// exp(logit) clipped to [1/maximum, maximum].
    public static func clipped(_ logit: Double, maximum: Double = maximumWeight) -> Double {
        let bound = log(maximum)
        return exp(min(max(logit, -bound), bound))
    }

    /// The weight of a raw logit before normalising: calibrated, exponentiated, clipped.
    func unnormalised(_ logit: Double) -> Double {
        Reweighter.clipped(calibration.scale * logit + calibration.offset, maximum: maximumWeight)
    }

    /// "; best of N epochs kept (held-out loss L)" with a held-out split, else "" (for the log line).
    public var trainingSummary: String {
        validationLoss.isNaN ? "" : "; epoch \(epochs) kept (held-out loss " + String(format: "%.5f", validationLoss) + ")"
    }

    /// How a logit becomes a weight, e.g. "exp(0.8·logit − 0.01) clipped to [1/20, 20], normalised by 0.81".
    public var weightSummary: String {
        let calibrated = calibration == (1, 0) ? "exp(logit)"
            : "exp(" + String(format: "%.4g", calibration.scale) + "·logit " + (calibration.offset < 0 ? "− " : "+ ")
                + String(format: "%.3g", abs(calibration.offset)) + ")"
        let tempered = tempering < 1 ? " (tempered by " + String(format: "%.3g", tempering) + " for the ESS target)" : ""
        let bound = String(format: "%g", maximumWeight)
        return calibrated + tempered + " clipped to [1/\(bound), \(bound)], normalised by " + String(format: "%.4g", normalisation)
    }

    /// The normalised weights of `n` events (`columns`, row-major).
    public func weights(_ values: UnsafeBufferPointer<Float>, rows n: Int, columns: [String]) throws -> [Double] {
        let table = EventTable(columns: columns, rows: n, values: Array(values[0..<(n * columns.count)]))
        var x = try Reweighter.matrix(table, names: names, rows: n, roles: roles)
        scaling.apply(&x)
        return classifier.logits(x, rows: Array(0..<n)).map { unnormalised($0) / normalisation }
    }
}
