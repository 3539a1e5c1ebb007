import Comm
import EventStore
import Foundation
import Support

/// A reweighted table's weights come from a classifier trained on real events (`generate
/// --reweight REAL`); measured against those same events, the weighted KS and AUC would show how
/// well the classifier learned its training rows, not how close the weighted events are to real
/// ones. `generate` records in GEN/manifest.json which rows it read (`"reweight": {"real",
/// "sha256", "first_rows", "rows"}`); before computing anything, evaluate looks for the real
/// table's rows among them (the columns both share, bit for bit: this also catches a subset such as
/// the pipeline's heldout.h5 when REAL was the training table) and refuses the evaluation if any is
/// there. When REAL is gone or has changed since, it says that the check could not be made.
extension EvaluateStage {
    /// The reweighting's real events as the manifest beside `generated` records them (nil: no manifest,
    /// or an output written without --reweight or before the record existed).
    struct ReweightingSource {
        let real: String
        let sha256: String
        let firstRows: Int
        let rows: Int

        init?(beside generated: String) {
            let manifest = ((generated as NSString).deletingLastPathComponent as NSString).appendingPathComponent("manifest.json")
            guard let text = try? String(contentsOfFile: manifest, encoding: .utf8), let json = try? JSONValue.parse(text),
                  let r = json["reweight"], let real = r["real"]?.string, let sha256 = r["sha256"]?.string,
                  let firstRows = r["first_rows"]?.int, let rows = r["rows"]?.int, firstRows > 0, rows > 0 else { return nil }
            (self.real, self.sha256, self.firstRows, self.rows) = (real, sha256, firstRows, rows)
        }
    }

    /// Refuses (one line, exit 65, agreed across ranks) when rows of `real` (this rank's share of the
    /// rows evaluate compares) are among the rows the generated table's reweighting classifier trained on.
    static func checkReweightingRows(real: EventReader.Result, realPath: String, generatedPath: String,
                                     generatedColumns: [String], comm: Communicator, console: Console) throws {
        guard generatedColumns.contains("weight"), !real.layout.columns.contains("weight"),
              let source = ReweightingSource(beside: generatedPath) else { return }
        let unchanged = try comm.broadcast(try comm.agree {
            comm.isRoot && FileManager.default.fileExists(atPath: source.real) ? try SHA256.hex(files: [source.real]) : ""
        }) == source.sha256
        guard unchanged else {
            console.line("note: cannot check that the real rows are not those the weights' classifier trained on: '\(source.real)' "
                         + "(manifest.json's reweight.real) is missing or has changed since generate")
            return
        }
        let trained = try EventReader.read(path: source.real, dataset: "events", maxRows: source.firstRows, nonFinite: .drop, comm: comm)
        let shared = real.layout.columns.filter { trained.layout.columns.contains($0) && generatedColumns.contains($0) }
        guard !shared.isEmpty else { return }
        let reference = try gathered(trained.table, columns: shared, comm: comm)
        let compared = try gathered(real.table, columns: shared, comm: comm)
        try comm.agree {
            guard let reference, let compared else { return }
            let k = shared.count
            var rows = Set<[UInt32]>()
            for r in 0..<min(source.rows, reference.rows) { rows.insert(reference.values[(r * k)..<((r + 1) * k)].map(\.bitPattern)) }
            let found = (0..<compared.rows).filter { rows.contains(compared.values[($0 * k)..<(($0 + 1) * k)].map(\.bitPattern)) }.count
            guard found == 0 else {
                throw InputError("\(found) of the \(compared.rows) real rows of '\(realPath)' are among the \(source.rows) rows of "
                                 + "'\(source.real)' that the weights of '\(generatedPath)' were trained on (generate --reweight), so "
                                 + "its weighted figures would be measured on the classifier's own training events; evaluate "
                                 + "against events it never saw (e.g. simulated with another seed), or regenerate with --reweight "
                                 + "on events disjoint from these", exitCode: ExitStatus.dataError)
            }
        }
    }
}
