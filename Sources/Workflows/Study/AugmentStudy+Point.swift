import Comm
import Evaluation
import EventStore
import Foundation
import Generation
import Support
import Training

extension AugmentStudy {
    /// The seed of grid point `index`: its generators, generated events and classifiers.
    static func pointSeed(_ s: StudySettings, _ index: Int) -> UInt64 { s.seed &+ UInt64(index + 1) &* 1_000_003 }

    /// One grid point: its N real background rows -> (reducer) -> generator ensemble -> best
    /// snapshot -> N * max(M/N) generated rows -> the classifiers (a), (b), (c) for every ratio.
    /// Returns {"n", "seed", "real", "real+generated": {"M/N": auc}, "generated": {"M/N": auc}, ...}.
    static func runPoint(index: Int, n: Int, repetition: Int, settings s: StudySettings,
                         inputs: StudyInputs) throws -> JSONValue {
        let clock = Stopwatch()
        let seed = pointSeed(s, index)
        let dir = s.path("points/p\(index)") as NSString
        let comm = try Communicator.selfOnly()
        let quiet = Console(comm: comm, silent: true)
        // The real rows of this point: repetition r's slice, nested across N.
        let start = inputs.backgroundOffset + repetition * s.nMax
        let real = try inputs.background.rows(start..<(start + n), purpose: "\(s.repetitions) seeds × \(s.nMax) background rows")
        let signalStart = inputs.signalOffset + repetition * s.signalEvents
        let signal = try inputs.signal.rows(signalStart..<(signalStart + s.signalEvents),
                                            purpose: "\(s.repetitions) seeds × \(s.signalEvents) signal rows")
        let table = dir.appendingPathComponent("background.h5")
        try EventWriter.write(real, to: table, attributes: [("study_point", .int(Int64(index))), ("events", .int(Int64(n)))],
                              comm: comm)
        // model: the generator sees these n rows and nothing else.
        var overrides = try generatorOverrides(s)
        overrides.set("data", table)
        overrides.set("seed", Int(truncatingIfNeeded: seed))
        if try generatorSpace(s, overrides) == "latent" {
            var reduce = ConfigOverrides()
            reduce.set("data", table)
            reduce.set("out", dir.appendingPathComponent("reduce"))
            reduce.set("seed", Int(truncatingIfNeeded: seed))
            try ReduceStage.run(try ReduceSettings.resolve(config: s.job, overrides: reduce), comm: comm, console: quiet)
            overrides.set("reducer", dir.appendingPathComponent("reduce"))
        }
        overrides.set("out", dir.appendingPathComponent("ensemble"))
        overrides.set("ranks_per_restart", 1)
        try EnsembleRun.run(try GANSettings.resolve(config: s.job, overrides: overrides), world: comm, console: quiet)
        try SelectStage.run(SelectSettings(run: dir.appendingPathComponent("ensemble")), comm: comm, console: quiet)
        let (model, _) = try GeneratorModel.load(directory: dir.appendingPathComponent("ensemble/best"))
        let generatedRows = n * s.ratioMax
        var values: [Float] = []
        values.reserveCapacity(generatedRows * model.width)
        try model.generate(rows: 0..<generatedRows, seed: seed) { chunk, _ in values.append(contentsOf: chunk) }
        let generated = EventTable(columns: model.columns, rows: generatedRows, values: values)
        let trained = clock.seconds
        // evaluate: the classifiers on the generator's columns, tested on the independent test set.
        let features = model.columns
        let sig = try StudySample.select(signal, features, from: "the signal table '\(s.signal)'")
        let bkg = try StudySample.select(real, features, from: "the background table '\(s.background)'")
        let test = ClassifierTwoSample.Rows(
            positive: try StudySample.select(inputs.testSignal, features, from: "the signal test table"),
            negatives: [try StudySample.select(inputs.testBackground, features, from: "the background test table")])
        var classifier = s.classifier
        classifier.seed = seed
        func auc(_ negatives: [EventTable]) throws -> Double {
            try ClassifierTwoSample.trainedAUC(train: ClassifierTwoSample.Rows(positive: sig, negatives: negatives),
                                              test: test, settings: classifier)
        }
        let realAUC = try auc([bkg])
        var augmented: [(key: String, value: JSONValue)] = [], alone: [(key: String, value: JSONValue)] = []
        for ratio in s.ratios {
            guard ratio > 0 else {
                augmented.append((key: "0", value: .number(realAUC)))
                alone.append((key: "0", value: .null))
                continue
            }
            let extra = generated.slice(0..<(n * ratio))
            augmented.append((key: String(ratio), value: .number(try auc([bkg, extra]))))
            alone.append((key: String(ratio), value: .number(try auc([extra]))))
        }
        return .object([
            (key: "index", value: .integer(index)), (key: "n", value: .integer(n)), (key: "seed", value: .integer(repetition)),
            (key: "real", value: .number(realAUC)), (key: "real+generated", value: .object(augmented)),
            (key: "generated", value: .object(alone)), (key: "features", value: .array(features.map(JSONValue.string))),
            (key: "generator_seconds", value: .number(trained)), (key: "seconds", value: .number(clock.seconds)),
        ])
    }

    /// The [ensemble] table's values, or the study's default generator when the job file has none.
    static func generatorOverrides(_ s: StudySettings) throws -> ConfigOverrides {
        var overrides = ConfigOverrides()
        let hasTable = try s.job.map { try TOMLDocument.read(path: $0).table(["ensemble"]) != nil } ?? false
        if !hasTable {
            for (key, value) in StudySettings.defaultGenerator { overrides.set(key, value: value) }
        }
        return overrides
    }

    static func generatorSpace(_ s: StudySettings, _ overrides: ConfigOverrides) throws -> String {
        var job = try JobConfig.load(path: s.job, section: "ensemble", schema: GANSettings.schema,
                                     otherSections: JobSections.besides("ensemble"), overrides: overrides)
        return try job.string("space")
    }
}
