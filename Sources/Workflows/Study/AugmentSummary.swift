import Comm
import Evaluation
import Foundation
import Support

/// The grid points' AUCs reduced to mean and spread per N (and M/N), the amplification factors on
/// the real-only curve, and augment.json / the printed table.
struct AugmentSummary {
    let settings: StudySettings
    /// real[N index] = AUCs over the seeds; augmented/alone[ratio][N index] likewise (alone: nil for M/N = 0).
    var real: [[Double]]
    var augmented: [Int: [[Double]]] = [:]
    var alone: [Int: [[Double]]] = [:]
    var pointSeconds: [Double] = []

    init(settings s: StudySettings, results: [JSONValue]) {
        settings = s
        real = s.nReal.map { _ in [] }
        for ratio in s.ratios {
            augmented[ratio] = s.nReal.map { _ in [] }
            alone[ratio] = s.nReal.map { _ in [] }
        }
        for result in results {
            guard let n = result["n"]?.int, let i = s.nReal.firstIndex(of: n) else { continue }
            if let a = result["real"]?.double { real[i].append(a) }
            for ratio in s.ratios {
                if let b = result["real+generated"]?[String(ratio)]?.double { augmented[ratio]![i].append(b) }
                if let c = result["generated"]?[String(ratio)]?.double { alone[ratio]![i].append(c) }
            }
            pointSeconds.append(result["seconds"]?.double ?? 0)
        }
    }

    /// Mean and sample std (n − 1) of the seeds' values; nil without values.
    static func meanStd(_ values: [Double]) -> (mean: Double, std: Double)? {
        guard !values.isEmpty else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else { return (mean, 0) }
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, (squares / Double(values.count - 1)).squareRoot())
    }

    static func pair(_ values: [Double]) -> JSONValue {
        guard let m = meanStd(values) else { return .null }
        return .array([.number(m.mean), .number(m.std)])
    }

    var realMeans: [Double] { real.map { AugmentSummary.meanStd($0)?.mean ?? .nan } }

    /// amplification[N index][ratio]: N′/N with N′ on the real-only mean curve at (b)'s mean AUC.
    func amplification(ratio: Int, index i: Int) -> Amplification? {
        guard let b = AugmentSummary.meanStd(augmented[ratio]![i])?.mean else { return nil }
        return Amplification.of(auc: b, sizes: settings.nReal, aucs: realMeans, n: settings.nReal[i])
    }

    /// augment.json: results only (no timing), so any rank count writes the same bytes.
    func json(testRows: Int) -> JSONValue {
        let s = settings
        func perRatio(_ table: [Int: [[Double]]]) -> JSONValue {
            .object(s.ratios.map { (key: String($0), value: .array(table[$0]!.map(AugmentSummary.pair))) })
        }
        var factors: [(key: String, value: JSONValue)] = [], outside: [(key: String, value: JSONValue)] = []
        for (i, n) in s.nReal.enumerated() {
            let amps = s.ratios.map { (ratio: $0, amp: amplification(ratio: $0, index: i)) }
            factors.append((key: String(n), value: .object(amps.map { (key: String($0.ratio), value: $0.amp?.value.map(JSONValue.number) ?? .null) })))
            let out = amps.compactMap { a in a.amp?.outside.map { (key: String(a.ratio), value: JSONValue.string($0)) } }
            if !out.isEmpty { outside.append((key: String(n), value: .object(out))) }
        }
        let c = s.classifier
        return .object([
            (key: "n_real", value: .array(s.nReal.map(JSONValue.integer))),
            (key: "ratios", value: .array(s.ratios.map(JSONValue.integer))),
            (key: "auc", value: .object([
                (key: "real", value: .array(real.map(AugmentSummary.pair))),
                (key: "real+generated", value: perRatio(augmented)),
                (key: "generated", value: perRatio(alone)),
            ])),
            (key: "amplification", value: .object(factors)),
            (key: "amplification_outside_grid", value: .object(outside)),
            (key: "test_rows", value: .integer(testRows)),
            (key: "classifier", value: .object([
                (key: "hidden", value: .array(c.hidden.map(JSONValue.integer))), (key: "steps", value: .integer(c.steps ?? 0)),
                (key: "batch", value: .integer(c.batch)), (key: "learning_rate", value: .number(Double(c.learningRate))),
                (key: "optimizer", value: .string("adam")), (key: "class_balanced", value: .bool(true)),
                (key: "signal_events", value: .integer(s.signalEvents)),
            ])),
            (key: "seeds", value: .integer(s.repetitions)),
            (key: "signal", value: .string(s.signal)), (key: "background", value: .string(s.background)),
            (key: "test", value: .string(s.testSignal == nil && StudySample.isBuiltIn(s.signal)
                                         ? "fresh simulation, seed \(s.testSeed)" : "tables or held-out rows")),
        ])
    }

    /// timing.json: wall time, the points' summed time and the rank count.
    func timing(seconds: Double, ranks: Int) -> JSONValue {
        .object([(key: "seconds", value: .number(seconds)), (key: "point_seconds", value: .number(pointSeconds.reduce(0, +))),
                 (key: "ranks", value: .integer(ranks))])
    }

    /// The AUC table (mean ± std over seeds) and the amplification factors, for the log.
    func table() -> String {
        let s = settings
        func cell(_ values: [Double]) -> String {
            guard let m = AugmentSummary.meanStd(values) else { return String(repeating: " ", count: 15) + "-" }
            return String(format: "%9.4f ± %.4f", m.mean, m.std)
        }
        var lines = ["AUC on the test set (mean ± std over \(s.repetitions) seeds); amplification N′/N of (b)"]
        lines.append("       N  M/N   (a) real            (b) real+generated  (c) generated       amplification")
        for (i, n) in s.nReal.enumerated() {
            for ratio in s.ratios {
                let amp = amplification(ratio: ratio, index: i)
                let ampText = amp?.value.map { String(format: "%.2f", $0) } ?? amp?.outside ?? "-"
                lines.append(String(format: "%8d  %3d ", n, ratio) + " " + cell(real[i]) + "  " + cell(augmented[ratio]![i])
                             + "  " + cell(alone[ratio]![i]) + "  " + ampText)
            }
        }
        return lines.joined(separator: "\n")
    }
}
