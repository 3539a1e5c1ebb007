import Comm
import EventStore
import Foundation
import Support
import Training

/// The pipeline on the user's own table (`[pipeline] data`): checked before anything is written,
/// so a bad table or role map stops with one line and leaves no run directory behind.
extension PipelineStages {
    /// The table must be readable as a table with finite values (unless [reduce] drop_nonfinite),
    /// its columns must hold every mapped role, and the reducer's held-out split must leave rows to
    /// train on and rows to hold out. (The table is read once more here: a refusal must come before
    /// the reduce stage creates its run directory.)
    public static func checkData(_ s: PipelineSettings, comm: Communicator, console: Console) throws {
        guard let data = s.data else { return }
        let layout = try EventReader.describe(path: data, dataset: s.dataset, comm: comm)
        var overrides = s.overrides
        overrides.set("out", s.reduce)
        let reduce = try comm.agree { () -> ReduceSettings in
            try s.roles.check(columns: layout.columns, table: data)
            return try ReduceSettings.resolve(config: s.job, overrides: overrides)
        }
        let read = try EventReader.read(path: data, dataset: s.dataset, nonFinite: reduce.dropNonFinite ? .drop : .refuse, comm: comm)
        try comm.agree {
            let split = HeldOutSplit(fraction: reduce.holdout, seed: reduce.seed)
            let held = (0..<read.totalRows).filter { split.isHeldOut(globalRow: $0) }.count
            guard read.totalRows - held >= 2, held >= 1 else {
                throw InputError("'\(data)' has \(read.totalRows) rows: too few to hold out \(Int(split.fraction * 100)) % "
                                 + "(\(held) rows) and train on the rest; use a larger table", exitCode: ExitStatus.dataError)
            }
        }
        let dropped = read.droppedRows > 0 ? ", \(read.droppedRows) dropped as non-finite" : ""
        console.line("== pipeline: your table \(data) (\(layout.rows) rows\(dropped), \(layout.columns.count) columns; no simulation)")
    }
}

extension PipelineSettings {
    /// What every stage is handed besides the job file: the table, its dataset and `--roles`.
    public var overrides: ConfigOverrides {
        var o = ConfigOverrides()
        o.set("data", table)
        if data != nil { o.set("dataset", dataset) }
        o.roles = rolesOption
        return o
    }
}
