import Comm
import EventStore
import Support

/// How features are represented before the networks see them, beyond the frame rotation and the
/// final standardisation: the options `reduce` and a full-space `ensemble` share (pair_mass,
/// zero_spike, log1p, quantile, ordered). Builds and checks the fitted preprocessor's steps.
public struct Representation {
    /// Features mapped through log1p before standardisation: a falling spectrum with a spike at 0
    /// (jet pTs) becomes two well separated modes that an MSE autoencoder reconstructs far better.
    public var log1p: [String] = []
    /// Non-negative features with a spike of zeros below a continuum that starts at their smallest
    /// non-zero value (jet pTs, isolations): the spike is moved one continuum width below the
    /// continuum's start (PreprocessingStep.zeroSpike), closing the physical gap in between.
    public var zeroSpike: [String] = []
    /// Features mapped through their training CDF onto a standard normal (QuantileTransform), after
    /// the steps above: every marginal becomes N(0, 1) and comes back through the inverse.
    public var quantile: [String] = []
    /// Where the quantile step puts a spike's values (QuantileTransform.Ties).
    public var quantileTies: QuantileTransform.Ties = .spread
    /// Quantile columns whose spikes are spread whatever `quantileTies` says: in a reducer, the kept
    /// features (the decoder reads them, so their random placement costs the codes nothing and a
    /// latent GAN sees a smooth N(0, 1) marginal) while the encoded ones stay at the midpoint.
    public var quantileSpread: [String] = []
    /// Two vectors (e.g. mu1, mu2): the first one's energy is replaced by the pair's invariant mass
    /// before scaling (PairMass), so a narrow resonance is a coordinate the networks see directly.
    public var pairMass: [String] = []
    /// With `pairMass`: the first vector's px, py are replaced by the pair's too (PairPt), so the
    /// pair's transverse momentum (ptll) is a coordinate like its mass.
    public var pairPt = false
    /// Two vectors (the muons, the same two as `pairMass`) put back on their mass shells after the
    /// inverse preprocessing, keeping their pair mass (`ShellProjection`; masses fitted on the
    /// training rows). Generation and snapshot scoring both see the projected rows.
    public var onShell: [String] = []
    /// Columns forming a descending sequence with 0 = absent at its end, leading first (the jet
    /// pTs): each after the first becomes its place between the continuum's start and the one
    /// before it (PreprocessingStep.ordered), so the order and the joint presence of the jets hold
    /// in every generated event. Names are features or the roles they play (jet1_pt …, ColumnRoles).
    public var ordered: [String] = []

    public init(log1p: [String] = [], zeroSpike: [String] = [], quantile: [String] = [], quantileTies: QuantileTransform.Ties = .spread, quantileSpread: [String] = [], pairMass: [String] = []) {
        self.log1p = log1p
        self.zeroSpike = zeroSpike
        self.quantile = quantile
        self.quantileTies = quantileTies
        self.quantileSpread = quantileSpread
        self.pairMass = pairMass
    }

    /// The representation options of a job table (`reduce`'s, or a full-space `ensemble`'s):
    /// log1p, zero_spike, quantile, quantile_ties, quantile_spread and pair_mass.
    public init(job: inout JobConfig) throws {
        self.init(log1p: try job.strings("log1p"), zeroSpike: try job.strings("zero_spike"), quantile: try job.strings("quantile"),
                  quantileTies: try Representation.ties(job.string("quantile_ties")),
                  quantileSpread: try job.strings("quantile_spread"), pairMass: try job.strings("pair_mass"))
        pairPt = try job.bool("pair_pt")
        onShell = try job.strings("on_shell")
        ordered = try job.strings("ordered")
    }

    /// The `quantile_ties` option's value, refused with one line when it names no tie rule.
    public static func ties(_ name: String) throws -> QuantileTransform.Ties {
        guard let ties = QuantileTransform.Ties(rawValue: name) else {
            throw InputError("unknown quantile_ties '\(name)'; expected one of: "
                             + QuantileTransform.Ties.allCases.map(\.rawValue).joined(separator: ", "), exitCode: ExitStatus.usage)
        }
        return ties
    }

    /// The steps in order: pair mass (and momentum), ordered sequence, integer smearing, zero spike, log1p, quantile,
    /// standardise.
    /// `dropped`: the column the frame step removed (the mu2_py role's), 0 in the rotation frame.
    public func steps(features: [String], integers: [String], dropped: String?,
                      roles: ColumnRoles = ColumnRoles()) throws -> [PreprocessingStep] {
        if pairPt && pairMass.isEmpty {
            throw InputError("pair_pt = true needs pair_mass (it names the two vectors), found pair_mass = []; "
                             + "set pair_mass = [\"mu1\", \"mu2\"] or pair_pt = false", exitCode: ExitStatus.usage)
        }
        let pair = try Representation.pairMassStep(pairMass, features: features, dropped: dropped, roles: roles)
        return pair + (pairPt ? pair.map { .pairPt($0.columns ?? []) } : [])
            + (try orderedSteps(features: features, roles: roles))
            + (integers.isEmpty ? [] : [PreprocessingStep.smearInteger(integers)])
            + (zeroSpike.isEmpty ? [] : [.zeroSpike(zeroSpike)])
            + (log1p.isEmpty ? [] : [.log1p(log1p)])
            + quantileSteps
            + [.standardize(features)]
    }

    /// One quantile step per tie rule in use (columns in `quantile` order).
    private var quantileSteps: [PreprocessingStep] {
        let spread = quantileTies == .spread ? quantile : quantile.filter(quantileSpread.contains)
        let other = quantile.filter { !spread.contains($0) }
        return (other.isEmpty ? [] : [.quantile(other, ties: quantileTies)]) + (spread.isEmpty ? [] : [.quantile(spread, ties: .spread)])
    }

    /// Every listed column must be a feature; log1p and zero_spike columns must be ≥ 0 (a
    /// negative momentum component would make the expm1 inverse meaningless even where log1p is
    /// defined); a column cannot be in both log1p and zero_spike.
    public func check(features: [String], table: EventTable, path: String) throws {
        try Representation.checkNonNegative(log1p, option: "log1p", features: features, table: table, path: path)
        try Representation.checkNonNegative(zeroSpike, option: "zero_spike", features: features, table: table, path: path)
        for name in quantile { _ = try Representation.featureIndex(name, option: "quantile", features: features) }
        if let name = quantileSpread.first(where: { !quantile.contains($0) }) {
            throw InputError("quantile_spread column '\(name)' is not among the quantile columns \(quantile.joined(separator: ",")); "
                             + "add it to quantile or remove it from quantile_spread", exitCode: ExitStatus.usage)
        }
        if let both = zeroSpike.first(where: log1p.contains) {
            throw InputError("'\(both)' is listed in both log1p and zero_spike, expected at most one of them; "
                             + "remove it from one list", exitCode: ExitStatus.usage)
        }
    }

    /// `onShell` must be empty or name the two `pairMass` vectors (the projection keeps the mass
    /// that step makes a coordinate, and their components are resolved the same way); one line otherwise.
    public func checkOnShell() throws {
        guard !onShell.isEmpty else { return }
        func bad(_ text: String) -> InputError { InputError(text, exitCode: ExitStatus.usage) }
        guard onShell.count == 2 else {
            throw bad("on_shell expects two vector names such as mu1,mu2, found \(onShell.count): \(onShell.joined(separator: ",")); "
                      + "name the two vectors of pair_mass or leave on_shell empty")
        }
        guard onShell == pairMass else {
            throw bad("on_shell = \(onShell.joined(separator: ",")) keeps the pair mass of pair_mass, found pair_mass = "
                      + "[\(pairMass.joined(separator: ","))]; set pair_mass to the same two vectors or leave on_shell empty")
        }
    }

    /// The shell projection of `onShell`'s two vectors (nil when the list is empty), on the
    /// components of their `pairMassStep`.
    public func shellProjection(features: [String], dropped: String?, roles: ColumnRoles = ColumnRoles()) throws -> ShellProjection? {
        guard !onShell.isEmpty else { return nil }
        try checkOnShell()
        let pair = try Representation.pairMassStep(onShell, features: features, dropped: dropped, roles: roles)
        return pair.first.map { ShellProjection(components: $0.columns ?? []) }
    }

    /// The `pairMass` step for vectors (a, b): both energies and every momentum component must be
    /// features, except b's p_y when the frame step dropped it (it is 0 there). A component is the
    /// column playing its role (`mu1_E` …, `ColumnRoles`), else the column of that name.
    public static func pairMassStep(_ pair: [String], features: [String], dropped: String?,
                                    roles: ColumnRoles = ColumnRoles()) throws -> [PreprocessingStep] {
        guard pair.count == 2 else { return [] }
        let present = features + (dropped.map { [$0] } ?? [])
        let wanted = PreprocessingStep.pairMassComponents(pair[0], pair[1])
        let components = wanted.map { roles.column($0, in: present) }
        let missing = zip(wanted, components).filter { $0.1 == nil }.map(\.0)
        guard missing.isEmpty else {
            throw InputError("pair_mass = \(pair.joined(separator: ",")) needs the columns \(wanted.joined(separator: ",")) "
                             + "among the features, found none for \(missing.joined(separator: ",")); add them to columns "
                             + "or drop pair_mass", exitCode: ExitStatus.usage)
        }
        return [.pairMass(components.map { $0! == dropped ? PreprocessingStep.zeroComponent : $0! })]
    }

    /// The position of a column an option lists among the features, or the one-line refusal
    /// (`noun` names what the option lists).
    public static func featureIndex(_ name: String, option: String, features: [String], noun: String = "column") throws -> Int {
        guard let j = features.firstIndex(of: name) else {
            throw InputError("\(option) \(noun) '\(name)' is not among the features \(features.joined(separator: ",")); "
                             + "remove it from \(option) or add it to columns", exitCode: ExitStatus.usage)
        }
        return j
    }

    public static func checkNonNegative(_ columns: [String], option: String, features: [String], table: EventTable,
                                 path: String) throws {
        for name in columns {
            let j = try featureIndex(name, option: option, features: features)
            if let r = (0..<table.rows).first(where: { table[$0, j] < 0 }) {
                throw InputError("\(option) expects non-negative values but '\(path)' has \(name) = \(table[r, j]) in training "
                                 + "row \(table.firstRow + r); remove \(name) from \(option)", exitCode: ExitStatus.dataError)
            }
        }
    }
}
