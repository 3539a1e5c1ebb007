import Comm
import EventStore
import Foundation
import Support

extension GenerateStage {
    /// `--reweight REAL`: trains the reweighting classifier (`Reweighter`) on REAL's first
    /// `rows` events against the model's, installs it in `model` (every shard gets a `weight`
    /// column) and folds REAL's checksum and the row count into the source hash, so a rerun with
    /// other real events, rows or reweighting settings regenerates instead of keeping shards weighted by another classifier.
    /// `roles` name the columns of the frame's reference and of the derived quantities; a map
    /// (not the built-in names) is folded into the hash too. Roles the user gave (`given`) must name
    /// columns of REAL; those of the model's config.toml may name columns the model dropped. Which
    /// rows of REAL it trained on goes to the manifest (`GenerationManifest.Reweighting`).
    static func reweight(_ model: GeneratorModel, source: inout GeneratorModel.Source, real path: String, rows: Int,
                         settings: Reweighter.Settings, seed: UInt64, roles: ColumnRoles, given: Bool, comm: Communicator) throws {
        let columns = model.columns
        let layout = try EventReader.describe(path: path, dataset: "events", comm: comm)
        try comm.agree {
            let missing = columns.filter { !layout.columns.contains($0) }
            guard missing.isEmpty else {
                throw InputError("--reweight: '\(path)' lacks the generator's columns \(missing.joined(separator: ", ")); give "
                                 + "real events with the training table's columns (e.g. the table the ensemble trained on)",
                                 exitCode: ExitStatus.dataError)
            }
            if given { try roles.check(columns: layout.columns, table: path) }
        }
        let read = try EventReader.read(path: path, dataset: "events", maxRows: rows, nonFinite: .drop, comm: comm)
        let indices = columns.compactMap(read.table.columnIndex)
        let gathered = try comm.gatherv(read.table.selecting(indices).values)
        let real = gathered.map { EventTable(columns: columns, rows: $0.count / columns.count, values: $0) }
        let reweighter = try Reweighter.train(real: real, model: model, rows: rows, seed: seed, roles: roles,
                                              settings: settings, comm: comm)
        model.reweighter = reweighter
        let realHash = try comm.broadcast(try comm.agree { comm.isRoot ? try SHA256.hex(files: [path]) : "" })
        source.reweighting = GenerationManifest.Reweighting(real: URL(fileURLWithPath: path).standardizedFileURL.path, sha256: realHash,
                                                            firstRows: rows, rows: reweighter.rows)
        source.hash += "+reweight:\(realHash.prefix(16)):\(reweighter.rows):\(Reweighter.fingerprint(settings, columns: columns, roles: roles))"
        if !roles.isEmpty { source.hash += ":roles:\(try SHA256.hex(Data(roles.tomlText.utf8)).prefix(16))" }
        Console(comm: comm).line("reweighting: classifier trained on \(reweighter.rows) real events of \(path) and as many "
                                 + "generated ones (\(reweighter.names.count) quantities)\(reweighter.trainingSummary); weights "
                                 + "\(reweighter.weightSummary) -> column '\(Reweighter.column)'" + (roles.isEmpty ? "" : "; roles from \(roles.source)"))
    }
}
