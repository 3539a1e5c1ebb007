import Physics
import Support

/// The MMD term's options (`MMDTerm`): λ·MMD²(q(generated batch), q(real batch)) on derived
/// quantities, added to the generator's loss.
extension GANSettings {
    static let mmdSchema: [ConfigOption] = [
        ConfigOption("mmd", .strings, default: .array([]),
                     help: "Derived quantities of the generator's MMD term (e.g. [\"ptll\", \"met\"]; [] = off)."),
        ConfigOption("mmd_weight", .double, default: 1.0, help: "Weight λ of the MMD term."),
        ConfigOption("mmd_bandwidth", .double, default: 2.0,
                     help: "Widest Gaussian kernel of the MMD term, in standard deviations of the quantities."),
        ConfigOption("mmd_kernels", .int, default: 5, help: "Kernels of the MMD term: bandwidths σ, σ/2, …, σ/2^(K−1)."),
        ConfigOption("mmd_batch", .int, default: 512,
                     help: "Generated rows (the global batch's first) and real rows of the MMD term; its cost grows as the square."),
        ConfigOption("mmd_joint", .bool, default: false,
                     help: "One MMD on the quantities' joint distribution instead of the sum of each quantity's own."),
        ConfigOption("mmd_columns", .strings, default: .array([]),
                     help: "Feature columns (e.g. [\"jet3_pt\", \"jet4_pt\"]) whose joint distribution gets one more kernel in the MMD term: it sees their correlation."),
    ]

    /// Whether the MMD term is on (derived quantities or columns listed).
    var mmdActive: Bool { !mmd.isEmpty || !mmdColumns.isEmpty }

    /// The differentiable quantities, by name.
    static var differentiableNames: String {
        DerivedQuantity.allCases.filter(\.isDifferentiable).map(\.rawValue).joined(separator: ", ")
    }

    /// `mmd` by name: unknown names refused (the usable ones listed).
    static func mmdQuantities(_ names: [String]) throws -> [DerivedQuantity] {
        try names.map { name in
            guard let q = DerivedQuantity(rawValue: name) else {
                throw InputError("unknown mmd quantity '\(name)'; expected one of: \(differentiableNames)", exitCode: ExitStatus.usage)
            }
            return q
        }
    }

    /// Reads the options from a resolved job.
    mutating func readMMD(_ job: inout JobConfig) throws {
        mmd = try GANSettings.mmdQuantities(try job.strings("mmd"))
        mmdWeight = try job.double("mmd_weight")
        mmdBandwidth = try job.double("mmd_bandwidth")
        mmdKernels = try job.int("mmd_kernels")
        mmdJoint = try job.bool("mmd_joint")
        mmdColumns = try job.strings("mmd_columns")
        mmdBatch = try job.int("mmd_batch")
    }

    /// Checks the options that need neither the data nor the world size.
    func validateMMD() throws {
        func bad(_ text: String) -> InputError { InputError(text, exitCode: ExitStatus.usage) }
        if let q = mmd.first(where: { !$0.isDifferentiable }) {
            throw bad("mmd quantity '\(q.rawValue)' is not differentiable; choose among \(GANSettings.differentiableNames)")
        }
        if let q = mmd.first(where: { q in mmd.filter { $0 == q }.count > 1 }) {
            throw bad("mmd lists '\(q.rawValue)' twice; name each quantity once")
        }
        if let c = mmdColumns.first(where: { c in mmdColumns.filter { $0 == c }.count > 1 }) {
            throw bad("mmd_columns lists '\(c)' twice; name each column once")
        }
        if !(mmdWeight > 0 && mmdWeight.isFinite) { throw bad("mmd_weight must be a positive number, found \(mmdWeight)") }
        if !(mmdBandwidth > 0 && mmdBandwidth.isFinite) {
            throw bad("mmd_bandwidth must be a positive number of standard deviations, found \(mmdBandwidth); use e.g. 2.0")
        }
        if !(1...8).contains(mmdKernels) { throw bad("mmd_kernels must be in 1...8, found \(mmdKernels); use e.g. 5") }
        if mmdBatch < 2 { throw bad("mmd_batch must be at least 2, found \(mmdBatch); use e.g. 512") }
        if mmdActive && (model == .vae || model == .flow) {
            throw bad("mmd applies to model = gan or wgan-gp, found \(model.rawValue); set mmd = [] or choose a GAN")
        }
    }
}
