import Comm
import Support

/// An ordered list of invertible preprocessing steps, fitted on the training split (each step on
/// the output of the ones before it) and stored with a model as JSON.
///
/// `forward` maps a table in `inputColumns` to `outputColumns` (a rotation drops its reference
/// p_y); `inverse` maps back to `inputColumns` in the original order. Random parts (integer
/// smearing, the inverse's random azimuth) draw from per-row Philox streams keyed by the global
/// row index, so results are bitwise independent of how rows are split across ranks or batches.
public struct Preprocessor: Codable, Equatable, Sendable {
    public internal(set) var steps: [PreprocessingStep]
    /// Columns of the table the preprocessor was fitted on (empty before `fit`).
    public internal(set) var inputColumns: [String]
    /// The steps bound to column positions; nil until fitted (or decoded fitted).
    var plan: [ResolvedStep]?
    /// Puts two vectors on their mass shells at the end of `inverse` (`ShellProjection`; nil:
    /// none, as in every model written before it existed). `forward` leaves rows as they are.
    public internal(set) var shell: ShellProjection?
    /// The projection's component positions in `inputColumns`, once fitted.
    var shellIndices: [Int]?

    /// Format tag written to JSON.
    public static let format = "latentsim-preprocessor-1"

    public init(steps: [PreprocessingStep], shell: ShellProjection? = nil) {
        self.steps = steps
        self.inputColumns = []
        self.plan = nil
        self.shell = shell
    }

    public var isFitted: Bool { plan != nil }

    /// Columns after every step (before fitting: unknown, empty).
    public var outputColumns: [String] {
        guard let plan else { return [] }
        return plan.last?.outputColumns ?? inputColumns
    }

    /// The input column no output keeps (a fitted rotation's reference p_y), if any.
    public var droppedColumn: String? {
        let out = outputColumns
        return isFitted ? inputColumns.first { !out.contains($0) } : nil
    }

    /// Widest layout along the pipeline: a buffer handed to `forward` or `inverse(into:)` needs
    /// `rows × maximumWidth` floats.
    public var maximumWidth: Int {
        (plan ?? []).reduce(inputColumns.count) { Swift.max($0, $1.inputWidth, $1.outputWidth) }
    }

    /// The paper's preprocessing: rotate the event so `reference` (default mu2) has p_y = 0 (when
    /// its _px/_py columns are present), smear the integer columns, then standardize every column.
    public static func paperDefault(columns: [String], integerColumns: [String],
                                    reference: String = "mu2") -> Preprocessor {
        var steps: [PreprocessingStep] = []
        var remaining = columns
        if columns.contains(reference + "_px"), columns.contains(reference + "_py") {
            steps.append(.rotateAzimuth(reference: reference))
            remaining.removeAll { $0 == reference + "_py" }
        }
        if !integerColumns.isEmpty { steps.append(.smearInteger(integerColumns)) }
        if !remaining.isEmpty { steps.append(.standardize(remaining)) }
        return Preprocessor(steps: steps)
    }

    /// Binds fitted `steps` to `columns`, in order; refuses unknown or repeated names.
    static func resolve(_ steps: [PreprocessingStep], columns: [String]) throws -> [ResolvedStep] {
        try checkUnique(columns)
        var available = columns
        var droppedBy: [String: String] = [:]
        var plan: [ResolvedStep] = []
        for (index, step) in steps.enumerated() {
            let resolved = try ResolvedStep(step, index: index, available: available, droppedBy: droppedBy)
            plan.append(resolved)
            record(resolved, into: &droppedBy)
            available = resolved.outputColumns
        }
        return plan
    }

    static func record(_ step: ResolvedStep, into droppedBy: inout [String: String]) {
        for name in step.inputColumns where !step.outputColumns.contains(name) { droppedBy[name] = step.label }
    }

    static func checkUnique(_ columns: [String]) throws {
        var first: [String: Int] = [:]
        for (i, name) in columns.enumerated() {
            if let j = first[name] { throw PreprocessingError.duplicateTableColumn(name, first: j, second: i) }
            first[name] = i
        }
    }

    public static func == (a: Preprocessor, b: Preprocessor) -> Bool {
        a.steps == b.steps && a.inputColumns == b.inputColumns && a.isFitted == b.isFitted && a.shell == b.shell
    }

    // MARK: Codable

    enum CodingKeys: String, CodingKey { case format, inputColumns, steps, shell }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let format = try container.decode(String.self, forKey: .format)
        guard format == Preprocessor.format else {
            throw PreprocessingError.damaged("format", "expected '\(Preprocessor.format)', found '\(format)'")
        }
        steps = try container.decode([PreprocessingStep].self, forKey: .steps)
        shell = try container.decodeIfPresent(ShellProjection.self, forKey: .shell)
        if let columns = try container.decodeIfPresent([String].self, forKey: .inputColumns) {
            inputColumns = columns
            plan = try Preprocessor.resolve(steps, columns: columns)
            if let shell {
                _ = try shell.checkedMasses()
                shellIndices = try shell.indices(in: columns)
            }
        } else {
            inputColumns = []
            plan = nil
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Preprocessor.format, forKey: .format)
        if isFitted { try container.encode(inputColumns, forKey: .inputColumns) }
        try container.encode(steps, forKey: .steps)
        try container.encodeIfPresent(shell, forKey: .shell)
    }
}
