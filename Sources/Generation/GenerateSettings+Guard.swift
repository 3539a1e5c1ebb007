import Foundation
import Support

extension GenerateSettings {
    /// The [generate] table of a job file (read by `pipeline`; `generate` takes the same as flags).
    public static let schema: [ConfigOption] = [
        ConfigOption("support_guard", .bool, default: true,
                     help: "Redraw generated events with a column outside the training table's range widened by support_margin "
                        + "× its width on each side (models trained before the range was stored generate without it)."),
        ConfigOption("support_margin", .double, default: .float(SupportGuard.defaultMargin),
                     help: "The support guard's margin m, a fraction ≥ 0 of each column's range [min, max]: accepted "
                        + "[min − m·(max − min), max + m·(max − min)]."),
    ]

    /// The guard's margin from `--support-margin` / `--no-support-guard` (`source` names them in
    /// messages): nil when switched off; one line when the margin is not a finite fraction ≥ 0 or both are given.
    public static func supportMargin(_ margin: Double?, off: Bool, source: (margin: String, off: String)) throws -> Double? {
        if off, margin != nil {
            throw InputError("\(source.margin) sets the support guard's margin but \(source.off) switches the guard off; drop one "
                             + "of them", exitCode: ExitStatus.usage)
        }
        if off { return nil }
        let m = margin ?? SupportGuard.defaultMargin
        guard m >= 0, m.isFinite else {
            throw InputError("\(source.margin) must be a fraction ≥ 0 of each column's training range (e.g. \(SupportGuard.defaultMargin)), "
                             + "found \(m)", exitCode: ExitStatus.usage)
        }
        return m
    }

    /// [generate] of `job` (support_guard, support_margin).
    public static func supportMargin(job: String) throws -> Double? {
        var config = try JobConfig.load(path: job, section: "generate", schema: schema, otherSections: JobSections.besides("generate"))
        let on = try config.bool("support_guard")
        let given = config.fileValues["support_margin"] != nil
        let margin = try config.double("support_margin")
        return try supportMargin(given || on ? margin : nil, off: !on,
                                 source: ("[generate] support_margin in '\(job)'", "support_guard = false"))
    }
}
