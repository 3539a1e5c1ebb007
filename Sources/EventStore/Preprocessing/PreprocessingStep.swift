import Support
/// One step of a `Preprocessor`: what it does, to which columns, and (once fitted) the statistics
/// it learned. Steps are built with the static factories and fitted by `Preprocessor.fit`.
///
/// Stored as JSON with a model, e.g. `{"kind":"standardize","columns":["mu1_E"],"shift":[41.2],"scale":[19.7]}`.
public struct PreprocessingStep: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case standardize, minMax, log1p, smearInteger, rotateAzimuth, pairMass, zeroSpike, quantile, pairPt, ordered

        /// Whether the inverse maps each value on its own: every kind but the rotation, which mixes
        /// the px/py columns of a row, adds a column and draws a random azimuth, and the pair mass,
        /// whose inverse energy depends on the whole pair, and the ordered sequence, whose inverse
        /// multiplies each column by the one before it.
        public var isElementwise: Bool {
            switch self {
            case .standardize, .minMax, .log1p, .smearInteger, .zeroSpike, .quantile: return true
            case .rotateAzimuth, .pairMass, .pairPt, .ordered: return false
            }
        }
    }

    public let kind: Kind
    /// The columns the step transforms; for `rotateAzimuth`, the vector prefixes it rotates
    /// (`nil`: every `X_px`/`X_py` pair present in the step's input).
    public let columns: [String]?
    /// Gaussian width of the `smearInteger` noise.
    public let sigma: Double?
    /// The vector whose azimuth `rotateAzimuth` removes (its `_py` column is dropped).
    public let reference: String?
    /// `rotateAzimuth` on columns named freely (a table's own names, see `ColumnRoles`): the
    /// reference's px and py columns, then each other vector's px and py; replaces `reference`
    /// and `columns` (absent from models written with the `X_px`/`X_py` naming).
    public let axes: [String]?
    /// Fitted affine parameters (`standardize`, `minMax`): y = (x − shift) / scale, per column.
    /// For `zeroSpike`: shift = the smallest non-zero value t, scale = the gap width G.
    /// For `ordered`: shift = [t], the continuum's start (the smallest non-zero value).
    public internal(set) var shift: [Double]?
    public internal(set) var scale: [Double]?
    /// `quantile`: the number of knots per column, and (once fitted) the knots; `ordered`: the
    /// knots of each column's fill distribution after the first (`OrderedSequence`).
    public let levels: Int?
    /// `quantile`: where a value equal to a run of knots goes (`QuantileTransform.Ties`; nil = spread).
    public let ties: QuantileTransform.Ties?
    public internal(set) var knots: [[Double]]?

    init(kind: Kind, columns: [String]?, sigma: Double? = nil, reference: String? = nil, levels: Int? = nil,
         ties: QuantileTransform.Ties? = nil, axes: [String]? = nil) {
        self.kind = kind
        self.axes = axes
        self.columns = columns
        self.sigma = sigma
        self.reference = reference
        self.levels = levels
        self.ties = ties
    }

    /// Each column through its training CDF onto a standard normal (see `QuantileTransform`),
    /// with `levels` knots fitted on the training rows; `ties` places values equal to a run of knots.
    public static func quantile(_ columns: [String], levels: Int = 1000, ties: QuantileTransform.Ties = .spread)
        -> PreprocessingStep {
        PreprocessingStep(kind: .quantile, columns: columns, levels: levels, ties: ties == .spread ? nil : ties)
    }

    /// A descending sequence with 0 = absent at its end, leading column first (the jet pTs): every
    /// column after the first becomes its place between the continuum's start and the column
    /// before it, −1 when absent (`OrderedSequence`), so the order and the joint presence hold
    /// for any value a network produces. `levels` knots per fill distribution.
    public static func ordered(_ columns: [String], levels: Int = 1000) -> PreprocessingStep {
        PreprocessingStep(kind: .ordered, columns: columns, levels: levels)
    }

    /// (x − mean) / std with the fitted mean and (population) std; a constant column uses scale 1.
    public static func standardize(_ columns: [String]) -> PreprocessingStep {
        PreprocessingStep(kind: .standardize, columns: columns)
    }

    /// Maps the fitted [min, max] linearly to [−1, 1]; a constant column maps to 0 with scale 1.
    public static func minMax(_ columns: [String]) -> PreprocessingStep {
        PreprocessingStep(kind: .minMax, columns: columns)
    }

    /// log1p forward, expm1 inverse; values ≤ −1 are refused.
    public static func log1p(_ columns: [String]) -> PreprocessingStep {
        PreprocessingStep(kind: .log1p, columns: columns)
    }

    /// For a non-negative column with a spike of exact zeros and a continuum that starts at its
    /// smallest non-zero value t (jet pTs above the reconstruction threshold, isolation sums):
    /// moves the spike G below the continuum's start, y = x − t for x ≥ t and y = (x/t − 1)·G
    /// below, so 0 ↦ −G. One monotone piecewise-linear map with an exact inverse, fitted on the
    /// training rows: t = min non-zero value, G = std of the non-zero values. A network then
    /// sees a separated spike instead of a physical gap (0, t) it would fill with events, and the
    /// continuum begins at y = 0 as it does in the data.
    public static func zeroSpike(_ columns: [String]) -> PreprocessingStep {
        PreprocessingStep(kind: .zeroSpike, columns: columns)
    }

    /// Integer columns become x + 0.5 + ε, ε ~ N(0, σ²) truncated to the open interval (−0.5, 0.5)
    /// (resampled until inside, with a guard band of `IntegerSmearing.guardBand` at both ends so
    /// the integer survives float32 rounding in later steps); the inverse is floor, exactly.
    public static func smearInteger(_ columns: [String], sigma: Double = 0.5) -> PreprocessingStep {
        PreprocessingStep(kind: .smearInteger, columns: columns, sigma: sigma)
    }

    /// Rotates every listed (`X_px`, `X_py`) pair by −φ(reference), so the reference has p_y = 0
    /// and p_x = p_T ≥ 0; drops `reference_py`. The inverse re-inserts it and rotates the event by
    /// a uniformly random azimuth.
    public static func rotateAzimuth(reference: String = "mu2", vectors: [String]? = nil) -> PreprocessingStep {
        PreprocessingStep(kind: .rotateAzimuth, columns: vectors, reference: reference)
    }

    /// The rotation on explicitly named columns: `reference` = its (px, py) columns, whose py is
    /// dropped; `others` = the (px, py) columns of every other vector rotated with it.
    public static func rotateAzimuth(reference: (px: String, py: String), others: [(px: String, py: String)]) -> PreprocessingStep {
        PreprocessingStep(kind: .rotateAzimuth, columns: nil, axes: [reference.px, reference.py] + others.flatMap { [$0.px, $0.py] })
    }

    /// Replaces the first vector's energy by the pair's invariant mass (see `PairMass`). `components`
    /// names (E₁, px₁, py₁, pz₁, E₂, px₂, py₂, pz₂) in that order; "0" marks a component that is
    /// identically zero (mu2_py after `rotateAzimuth`). The column keeps E₁'s name.
    public static func pairMass(_ components: [String]) -> PreprocessingStep {
        PreprocessingStep(kind: .pairMass, columns: components)
    }

    /// Replaces the first vector's transverse components by the pair's, (px₁, py₁) → (px₁ + px₂,
    /// py₁ + py₂) (see `PairPt`), so the pair's p_T is a coordinate. `components` as for `pairMass`,
    /// whose step it follows; the columns keep their names.
    public static func pairPt(_ components: [String]) -> PreprocessingStep {
        PreprocessingStep(kind: .pairPt, columns: components)
    }

    /// The `pairMass` components of the pair (a, b), e.g. ("mu1", "mu2"): (a_E, a_px, a_py, a_pz,
    /// b_E, …), with "0" in place of the names in `zero` (mu2_py after the rotation).
    public static func pairMassComponents(_ a: String, _ b: String, zero: Set<String> = []) -> [String] {
        ["\(a)_E", "\(a)_px", "\(a)_py", "\(a)_pz", "\(b)_E", "\(b)_px", "\(b)_py", "\(b)_pz"].map {
            zero.contains($0) ? PreprocessingStep.zeroComponent : $0
        }
    }

    /// The component name meaning "identically 0" in a `pairMass` step.
    public static let zeroComponent = "0"

    /// "step 2 (standardize)", 1-based, for messages.
    func label(_ index: Int) -> String { "preprocessing step \(index + 1) (\(kind.rawValue))" }

    /// The Philox substream of this step's per-row random stream (distinct per step and purpose).
    static func substream(_ kind: Kind, step index: Int) -> UInt32 {
        let base: UInt32 = switch kind {   // "SM", "QU", "OR", "RO"
        case .smearInteger: 0x534D_0000
        case .quantile: 0x5155_0000
        case .ordered: 0x4F52_0000
        default: 0x524F_0000
        }
        return base | UInt32(truncatingIfNeeded: index & 0xFFFF)
    }
}
