import ArgumentParser

/// The help of `--roles`, which every command that reads a table's columns takes: one text, so the
/// commands describe the option the same way.
enum RolesHelp {
    static let option: ArgumentHelp = "Physics roles of the table's columns, ROLE=COLUMN,... (e.g. mu1_E=E1,mu1_px=px1); overrides [roles] of the job file."
}
