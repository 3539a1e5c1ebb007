import EventStore
import Support

extension Representation {
    /// The pair steps: nothing without pair_mass; `pairMass` (and `pairPt` with pair_pt) or, with
    /// on_shell, `pairShell` on the same components (role-aware like pair_mass). Refused with one
    /// line: on_shell without pair_mass or with pair_pt, a shell_mass that is negative or not
    /// finite, and a first vector whose p_y the frame step dropped (it holds the pair's p_y).
    func pairSteps(features: [String], dropped: String?, roles: ColumnRoles = ColumnRoles()) throws -> [PreprocessingStep] {
        func bad(_ text: String) -> InputError { InputError(text, exitCode: ExitStatus.usage) }
        if onShell {
            guard !pairMass.isEmpty else {
                throw bad("on_shell = true needs pair_mass (it names the two vectors), found pair_mass = []; "
                          + "set pair_mass = [\"mu1\", \"mu2\"] or on_shell = false")
            }
            guard !pairPt else {
                throw bad("on_shell = true makes the pair's px, py coordinates already (what pair_pt does), found pair_pt = true as "
                          + "well; set pair_pt = false")
            }
            guard shellMass.isFinite, shellMass >= 0 else {
                throw bad("shell_mass expects the vectors' mass, finite and ≥ 0, found \(shellMass); set it in the table's units "
                          + "(\(PreprocessingStep.muonMass) for muons in GeV)")
            }
        }
        let pair = try Representation.pairMassStep(pairMass, features: features, dropped: dropped, roles: roles)
        guard onShell else { return pair + (pairPt ? pair.map { .pairPt($0.columns ?? []) } : []) }
        return try pair.map { step in
            let components = step.columns ?? []
            if let k = components.prefix(4).firstIndex(of: PreprocessingStep.zeroComponent) {
                let role = PreprocessingStep.pairMassComponents(pairMass[0], pairMass[1])[k]
                throw bad("on_shell keeps the pair's momentum in pair_mass's first vector's momentum columns, found \(role) "
                          + "dropped by the rotation (the frame's reference vector); list the reference second in pair_mass "
                          + "(e.g. [\"\(pairMass[1])\", \"\(pairMass[0])\"]) or set rotate = false")
            }
            return .pairShell(components, mass: shellMass)
        }
    }
}
