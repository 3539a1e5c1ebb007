import ArgumentParser
import Comm
import EventStore
import Foundation
import Support
import Training
import Generation
import Evaluation

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a generated event table with a real one: KS and Wasserstein distance per column and "
            + "physics quantity, and the largest correlation difference.",
        discussion: "The pipeline's last step, usable alone for any two tables. Per column (default: those common to "
            + "both tables, in the real table's order) and per physics quantity computable from them (mll, ptll, met, "
            + "phi_miss, dphi_ll, njets): two-sample KS statistic and p-value, and the 1-D Wasserstein distance. "
            + "ks_sum_paper = KS(mll) + KS(phi_miss) + KS(mu1_iso) when all three are computable. Under mpirun "
            + "each rank reads a share of the rows; rank 0 computes, prints and writes the JSON report, which is "
            + "byte-identical for any rank count.")

    @Option(help: "Real (reference) events: HDF5 or CSV file.") var real: String
    @Option(help: "Generated events: the directory `latentsim generate` wrote (its events.h5 is read), or a table file.")
    var generated: String
    @Option(help: "Dataset or group holding each table (HDF5).") var dataset = "events"
    @Option(help: "Comma-separated columns to compare (default: every column both tables have).") var columns: String?
    @Option(help: "Use only the first N rows of each table.") var maxRows = 1_000_000
    @Option(help: "JSON report (default: GEN/evaluation.json when --generated is a directory, else none).")
    var out: String?
    @Flag(help: "Drop rows holding NaN or Inf instead of refusing the table.") var dropNonfinite = false
    @Option(help: "Rows per table for the classifier two-sample test (0 skips it).") var classifierRows = 50_000
    @Option(help: "Seed of the classifier's split, initialisation and batch order.") var classifierSeed: UInt64 = 1

    func run() throws {
        let comm = try Communicator.world()
        let console = Console(comm: comm)
        let inputs = try comm.agree { try validated() }
        let report = inputs.out.map(OutputPath.init)
        try comm.agree { if comm.isRoot { try report?.prepare() } }
        let realLayout = try EventReader.describe(path: inputs.real, dataset: dataset, comm: comm)
        let generatedLayout = try EventReader.describe(path: inputs.generated, dataset: dataset, comm: comm)
        let names = try comm.agree { () -> [String] in
            let names = try EvaluationInputs.columns(requested: columns, real: realLayout.columns,
                                                     generated: generatedLayout.columns, realPath: inputs.real,
                                                     generatedPath: inputs.generated)
            let largest = min(max(realLayout.rows, generatedLayout.rows), maxRows)
            guard largest <= Int(Int32.max) / names.count else {
                throw InputError("--max-rows \(maxRows): \(largest) rows × \(names.count) columns exceed the 2^31 − 1 "
                                 + "values rank 0 can gather; lower --max-rows", exitCode: ExitStatus.usage)
            }
            return names
        }
        let policy: NonFinitePolicy = dropNonfinite ? .drop : .refuse
        let realRead = try EventReader.read(path: inputs.real, dataset: dataset, maxRows: maxRows, nonFinite: policy, comm: comm)
        let generatedRead = try EventReader.read(path: inputs.generated, dataset: dataset, maxRows: maxRows,
                                                 nonFinite: policy, comm: comm)
        try comm.agree {
            for read in [realRead, generatedRead] where read.totalRows == 0 {
                throw InputError("'\(read.layout.path)': all \(read.droppedRows) rows used hold NaN or Inf; "
                                 + "nothing is left to evaluate", exitCode: ExitStatus.dataError)
            }
        }
        let realTable = try Evaluate.gathered(realRead.table, columns: names, comm: comm)
        let generatedTable = try Evaluate.gathered(generatedRead.table, columns: names, comm: comm)
        try comm.agree {
            guard let realTable, let generatedTable else { return }
            let evaluation = try Evaluation(real: realTable, generated: generatedTable)
            console.line("real       \(inputs.real)  \(Evaluate.rows(realRead))")
            console.line("generated  \(inputs.generated)  \(Evaluate.rows(generatedRead))")
            console.line(evaluation.formattedTable())
            for line in evaluation.summaryLines() { console.line(line) }
            var extra: [(key: String, value: JSONValue)] = []
            if let auc = try classifierAUC(real: realTable, generated: generatedTable, evaluation: evaluation, console: console) {
                extra.append(("classifier_auc", .finite(auc)))
            }
            if let report {
                try report.write(text: evaluation.json(real: inputs.real, generated: inputs.generated, extra: extra)
                    .serializedByLine)
                console.line("wrote \(report.final)")
            }
        }
    }

    /// The classifier test's held-out AUC on every column and derived quantity, nil when skipped.
    private func classifierAUC(real: EventTable, generated: EventTable, evaluation: Evaluation,
                               console: Console) throws -> Double? {
        guard classifierRows > 0 else { return nil }
        let settings = ClassifierTwoSample.Settings(rows: classifierRows, seed: classifierSeed)
        let n = min(classifierRows, real.rows, generated.rows)
        guard n >= 10 else {
            console.line("classifier AUC not computed: needs at least 10 rows per table, found \(n)")
            return nil
        }
        let names = evaluation.rows.map(\.name)
        let auc = try ClassifierTwoSample.auc(real: ClassifierTwoSample.features(real, names: names, rows: n),
                                              generated: ClassifierTwoSample.features(generated, names: names, rows: n),
                                              settings: settings)
        console.line("classifier AUC \(auc.formatted(4)) (held out: \(Int(((1 - settings.trainFraction) * 100).rounded())) % "
                     + "of 2 × \(n) rows; 0.5 = indistinguishable)")
        return auc
    }

    private func validated() throws -> EvaluationInputs {
        guard maxRows > 0 else {
            throw InputError("--max-rows must be a positive number of rows, found \(maxRows)", exitCode: ExitStatus.usage)
        }
        guard classifierRows >= 0 else {
            throw InputError("--classifier-rows must be 0 (skip the classifier test) or a positive number of rows, "
                             + "found \(classifierRows)", exitCode: ExitStatus.usage)
        }
        return try EvaluationInputs.resolve(real: real, generated: generated, out: out)
    }

    /// "20000 rows (of 20000)", plus how many of the rows read were dropped as non-finite.
    static func rows(_ read: EventReader.Result) -> String {
        "\(read.totalRows) rows (of \(read.layout.rows))"
            + (read.droppedRows > 0 ? ", \(read.droppedRows) dropped as non-finite" : "")
    }

    /// The named columns of every rank's rows, concatenated in rank (= file) order on rank 0; nil elsewhere.
    static func gathered(_ table: EventTable, columns names: [String], comm: Communicator) throws -> EventTable? {
        let indices = names.compactMap(table.columnIndex)
        precondition(indices.count == names.count, "columns were checked against the table's layout")
        guard let values = try comm.gatherv(table.selecting(indices).values) else { return nil }
        return EventTable(columns: names, rows: values.count / names.count, values: values)
    }
}
