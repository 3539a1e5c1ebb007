import Comm
import EventStore
import Foundation
import Support

/// What `evaluate` compares: the real and generated tables (a generate output directory or a file),
/// the dataset, the columns (nil: those both have), the row limit, the report path and the
/// classifier test's settings (rows 0 skips it).
public struct EvaluateSettings {
    public var real: String
    public var generated: String
    public var dataset = "events"
    public var columns: String?
    public var maxRows = 1_000_000
    public var out: String?
    public var dropNonFinite = false
    /// The classifier two-sample test (`--classifier-rows`, `-width`, `-depth`, `-epochs`, `-patience`, `-seed`).
    public var classifier = ClassifierTwoSample.Settings()
    /// Which columns play the physics roles the derived quantities are computed from.
    public var roles = ColumnRoles()

    public init(real: String, generated: String, dataset: String = "events", columns: String? = nil, maxRows: Int = 1_000_000,
                out: String? = nil, dropNonFinite: Bool = false, classifier: ClassifierTwoSample.Settings = .init()) {
        self.real = real
        self.generated = generated
        self.dataset = dataset
        self.columns = columns
        self.maxRows = maxRows
        self.out = out
        self.dropNonFinite = dropNonFinite
        self.classifier = classifier
    }

    func validated() throws -> EvaluationInputs {
        guard maxRows > 0 else {
            throw InputError("--max-rows must be a positive number of rows, found \(maxRows)", exitCode: ExitStatus.usage)
        }
        try EvaluateSettings.check(classifier)
        return try EvaluationInputs.resolve(real: real, generated: generated, out: out)
    }
}

/// The evaluate stage: KS, W1 and correlations per column and derived quantity, the classifier
/// two-sample AUC, and the JSON report (byte-identical for any rank count).
public enum EvaluateStage {
    /// Reads both tables (each rank a share of the rows), and on rank 0 computes, prints and writes the report.
    public static func run(_ s: EvaluateSettings, comm: Communicator, console: Console) throws {
        let inputs = try comm.agree { try s.validated() }
        let dataset = s.dataset, maxRows = s.maxRows
        let report = inputs.out.map(OutputPath.init)
        try comm.agree { if comm.isRoot { try report?.prepare() } }
        // Short, redone from scratch: a stop signal is honoured before the reading and before the
        // classifier test (the longest part); nothing is written then.
        let record = inputs.out.map { StopRecord(beside: $0, stage: "evaluate") }
        let stop = StageStopped("evaluate wrote nothing (it starts from scratch)")
        if try comm.stopRequested() { throw comm.stopped(record, total: 1, unit: "reports", stop: stop) { 0 } }
        let realLayout = try EventReader.describe(path: inputs.real, dataset: dataset, comm: comm)
        try comm.agree { try s.roles.check(columns: realLayout.columns, table: inputs.real) }
        let generatedLayout = try EventReader.describe(path: inputs.generated, dataset: dataset, comm: comm)
        let names = try comm.agree { () -> [String] in
            let names = try EvaluationInputs.columns(requested: s.columns, real: realLayout.columns,
                                                     generated: generatedLayout.columns, realPath: inputs.real,
                                                     generatedPath: inputs.generated)
            let largest = min(max(realLayout.rows, generatedLayout.rows), maxRows)
            guard largest <= Int(Int32.max) / names.count else {
                throw InputError("--max-rows \(maxRows): \(largest) rows × \(names.count) columns exceed the 2^31 − 1 "
                                 + "values rank 0 can gather; lower --max-rows", exitCode: ExitStatus.usage)
            }
            return names
        }
        let policy: NonFinitePolicy = s.dropNonFinite ? .drop : .refuse
        let realRead = try EventReader.read(path: inputs.real, dataset: dataset, maxRows: maxRows, nonFinite: policy, comm: comm)
        let generatedRead = try EventReader.read(path: inputs.generated, dataset: dataset, maxRows: maxRows,
                                                 nonFinite: policy, comm: comm)
        try comm.agree {
            for read in [realRead, generatedRead] where read.totalRows == 0 {
                throw InputError("'\(read.layout.path)': all \(read.droppedRows) rows used hold NaN or Inf; "
                                 + "nothing is left to evaluate", exitCode: ExitStatus.dataError)
            }
        }
        try checkReweightingRows(real: realRead, realPath: inputs.real, generatedPath: inputs.generated,
                                 generatedColumns: generatedLayout.columns, comm: comm, console: console)
        let realTable = try EvaluateStage.gathered(realRead.table, columns: names, comm: comm)
        let generatedTable = try EvaluateStage.gathered(generatedRead.table, columns: names, comm: comm)
        let weights = try weightColumn(generatedRead.table, realColumns: realLayout.columns, comm: comm)
        try comm.agree {
            guard let realTable, let generatedTable else { return }
            let evaluation = try Evaluation(real: realTable, generated: generatedTable, roles: s.roles)
            console.line("real       \(inputs.real)  \(EvaluateStage.rows(realRead))")
            console.line("generated  \(inputs.generated)  \(EvaluateStage.rows(generatedRead))")
            console.line(evaluation.formattedTable())
            for line in evaluation.summaryLines() { console.line(line) }
            StopSignal.tick("evaluate")
            if StopSignal.received != 0 {   // rank 0 alone here; the agreement passes its exit code on
                try record?.stopped(progress: 0, total: 1, unit: "reports")
                throw stop
            }
            var extra: [(key: String, value: JSONValue)] = []
            if let test = try classifierTest(s, real: realTable, generated: generatedTable, evaluation: evaluation, console: console) {
                extra += test.json
            }
            if let weights {
                let weighted = try WeightedEvaluation(real: realTable, generated: generatedTable, weights: weights, evaluation: evaluation,
                                                      classifier: s.classifier.rows >= 10 ? s.classifier : nil,
                                                      roles: s.roles)
                for line in weighted.lines() { console.line(line) }
                extra.append(("weighted", weighted.json))
            }
            if let report {
                try report.write(text: evaluation.json(real: inputs.real, generated: inputs.generated, extra: extra)
                    .serializedByLine)
                console.line("wrote \(report.final)")
            }
        }
        if let record { comm.clearing(record) }
    }

    /// The generated table's `weight` column gathered on rank 0 (nil elsewhere, and when the
    /// generated table has none or the real table has one too: then it is compared as a column).
    static func weightColumn(_ table: EventTable, realColumns: [String], comm: Communicator) throws -> [Double]? {
        guard table.columnIndex("weight") != nil, !realColumns.contains("weight") else { return nil }
        return try gathered(table, columns: ["weight"], comm: comm).map { $0.values.map(Double.init) }
    }

    /// "20000 rows (of 20000)", plus how many of the rows read were dropped as non-finite.
    public static func rows(_ read: EventReader.Result) -> String {
        "\(read.totalRows) rows (of \(read.layout.rows))"
            + (read.droppedRows > 0 ? ", \(read.droppedRows) dropped as non-finite" : "")
    }

    /// The named columns of every rank's rows, concatenated in rank (= file) order on rank 0; nil elsewhere.
    public static func gathered(_ table: EventTable, columns names: [String], comm: Communicator) throws -> EventTable? {
        let indices = names.compactMap(table.columnIndex)
        precondition(indices.count == names.count, "columns were checked against the table's layout")
        guard let values = try comm.gatherv(table.selecting(indices).values) else { return nil }
        return EventTable(columns: names, rows: values.count / names.count, values: values)
    }
}
