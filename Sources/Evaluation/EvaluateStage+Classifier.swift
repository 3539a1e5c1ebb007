import Comm
import EventStore
import NN
import Physics
import Support

extension EvaluateSettings {
    /// Refuses classifier settings no test can run with, in one line naming the option.
    static func check(_ c: ClassifierTwoSample.Settings) throws {
        let checks: [(ok: Bool, option: String, value: String, expected: String)] = [
            (c.rows >= 0, "--classifier-rows", "\(c.rows)", "0 (skip the classifier test) or a positive number of rows"),
            (c.classifier.hidden.count >= 1, "--classifier-depth", "\(c.classifier.hidden.count)", "a positive number of hidden layers"),
            (c.classifier.hidden.allSatisfy { $0 >= 1 }, "--classifier-width", "\(c.classifier.hidden.min() ?? 0)",
             "a positive number of units per hidden layer"),
            (c.classifier.epochs >= 1, "--classifier-epochs", "\(c.classifier.epochs)", "a positive largest number of epochs"),
            (c.patience >= 1, "--classifier-patience", "\(c.patience)", "a positive number of epochs"),
        ]
        for check in checks where !check.ok {
            throw InputError("\(check.option) must be \(check.expected), found \(check.value)", exitCode: ExitStatus.usage)
        }
    }
}

extension EvaluateStage {
    /// The classifier test's held-out AUC on every column, derived quantity and muon mass squared,
    /// its bootstrap std (ClassifierTwoSample.bootstrapStd, seeded by --classifier-seed) and what
    /// produced them (the report's `classifier` member); nil when skipped.
    static func classifierTest(_ s: EvaluateSettings, real: EventTable, generated: EventTable, evaluation: Evaluation,
                               console: Console) throws -> (auc: Double, std: Double, json: [(key: String, value: JSONValue)])? {
        let settings = s.classifier
        guard settings.rows > 0 else { return nil }
        let n = min(settings.rows, real.rows, generated.rows)
        guard n >= 10 else {
            console.line("classifier AUC not computed: needs at least 10 rows per table, found \(n)")
            return nil
        }
        let names = ClassifierTwoSample.inputs(quantities: evaluation.rows.map(\.name), columns: real.columns, roles: s.roles,
                                               muonMasses: settings.muonMasses, frame: settings.frame)
        let held = try ClassifierTwoSample.heldOutScores(real: ClassifierTwoSample.features(real, names: names, rows: n, roles: s.roles,
                                                                                                   frame: settings.frame),
                                                         generated: ClassifierTwoSample.features(generated, names: names, rows: n,
                                                                                                        roles: s.roles, frame: settings.frame),
                                                         settings: settings)
        let auc = ClassifierTwoSample.auc(scores: held.scores, positive: held.positive)
        let std = ClassifierTwoSample.bootstrapStd(scores: held.scores, positive: held.positive, seed: settings.classifier.seed)
        console.line("classifier AUC \(auc.formatted(4)) ± \(std.formatted(4)) (held out: "
                     + "\(Int((settings.testFraction * 100).rounded())) % of 2 × \(n) rows; ± is the std over "
                     + "\(ClassifierTwoSample.bootstrapResamples) bootstrap resamples of them; 0.5 = indistinguishable)")
        let framed = settings.frame && AzimuthalFrame.referenceColumns(real.columns, roles: s.roles) != nil
        console.line("  " + description(settings, held: held, inputs: names.count, framed: framed))
        return (auc, std, [("classifier_auc", .finite(auc)), ("classifier_auc_std", .finite(std)),
                           ("classifier", json(settings, held: held, inputs: names, framed: framed))])
    }

    /// "3 × 64 units on 25 inputs in mu2's azimuthal frame, trained on 2 × 110000 rows; epoch 9 kept of 12 run (at most 50;
    /// stops after 3 without a lower cross-entropy on 2 × 30000 validation rows)".
    static func description(_ s: ClassifierTwoSample.Settings, held: ClassifierTwoSample.HeldOut, inputs: Int, framed: Bool) -> String {
        "\(s.classifier.hidden.count) × \(s.classifier.hidden.first ?? 0) units on \(inputs) inputs"
            + (framed ? " in \(AzimuthalFrame.reference)'s azimuthal frame" : "") + ", trained on 2 × \(held.split.train) rows; "
            + "epoch \(held.training.bestEpoch + 1) kept of \(held.training.epochsRun) run (at most \(s.classifier.epochs); stops after "
            + "\(s.patience) without a lower cross-entropy on 2 × \(held.split.validation) validation rows)"
    }

    /// The report's `classifier` member: the inputs (and the object whose azimuthal frame they were
    /// computed in, null for none), the split, the network and how training ended.
    static func json(_ s: ClassifierTwoSample.Settings, held: ClassifierTwoSample.HeldOut, inputs: [String], framed: Bool) -> JSONValue {
        .object([
            ("inputs", .array(inputs.map(JSONValue.string))),
            ("frame", framed ? .string(AzimuthalFrame.reference) : .null),
            ("rows", .object([("train", .integer(held.split.train)), ("validation", .integer(held.split.validation)),
                              ("test", .integer(held.split.test))])),
            ("hidden", .array(s.classifier.hidden.map(JSONValue.integer))),
            ("batch", .integer(s.classifier.batch)),
            ("learning_rate", .formatted("\(s.classifier.learningRate)")),
            ("max_epochs", .integer(s.classifier.epochs)),
            ("patience", .integer(s.patience)),
            ("epochs_run", .integer(held.training.epochsRun)),
            ("epoch_kept", .integer(held.training.bestEpoch + 1)),
            ("validation_loss", .finite(held.training.validationLoss)),
            ("seed", .unsigned(s.classifier.seed)),
            ("bootstrap_resamples", .integer(ClassifierTwoSample.bootstrapResamples)),
        ])
    }
}
