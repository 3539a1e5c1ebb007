import Comm
import Evaluation
import EventStore
import Foundation
import NN
import Support
import Training

/// What `study latent` needs: the reducer run, the samples, and the classifier.
public struct LatentStudySettings {
    public var reducer: String
    public var out: String
    public var signal = "zh-inv"
    public var background = "dy"
    public var dataset = "events"
    /// Training rows per class and seed; test rows per class.
    public var events = 20_000
    public var testEvents = 50_000
    public var seeds = 3
    public var seed: UInt64 = 1
    public var testSeed: UInt64 = 1001
    public var classifier = BinaryClassifier.Settings(steps: 4000)

    public init(reducer: String, out: String) {
        self.reducer = reducer
        self.out = out
    }

    func validate() throws {
        for (name, value, least) in [("--events", events, 100), ("--test-events", testEvents, 100), ("--seeds", seeds, 2),
                                     ("--steps", classifier.steps ?? 0, 1)]
        where value < least {
            throw InputError("\(name) must be at least \(least), found \(value)", exitCode: ExitStatus.usage)
        }
        if seed == testSeed {
            throw InputError("--test-seed equals --seed (\(seed)): the test set must be a fresh simulation; pass another --test-seed",
                             exitCode: ExitStatus.usage)
        }
        if signal == background {
            throw InputError("--signal and --background are both '\(signal)'; the study needs two different samples", exitCode: ExitStatus.usage)
        }
    }
}

/// `latentsim study latent`: the augment study's classifier separating signal from background on
/// the reducer's n latent variables (both samples encoded by the same reducer) next to the same
/// classifier on its k features, on fresh events. Each (seed, input) classifier is a point of a
/// StudyGrid, seeded by its seed alone and dealt to the ranks, so the result does not depend on the
/// rank count; a stop signal ends the study between classifiers and a rerun keeps the finished ones
/// (LatentStudy+Resume).
public enum LatentStudy {
    public static func run(_ s: LatentStudySettings, comm: Communicator, console: Console) throws {
        let clock = Stopwatch()
        try comm.agree { try s.validate() }
        let modelPath = (s.reducer as NSString).appendingPathComponent("model.h5")
        let reducer = try comm.agree { () -> Reducer in
            guard FileManager.default.fileExists(atPath: modelPath) else {
                throw InputError("no reducer at '\(modelPath)': pass the --out directory of `latentsim reduce` as --reducer",
                                 exitCode: ExitStatus.noInput)
            }
            return try Reducer.load(path: modelPath)
        }
        let salt = AugmentStudy.signalSalt
        // A built-in process is simulated afresh with the test seed for the test set; a table gives
        // its first test_events shuffled rows to the test set and trains on the rows after them.
        let (signal, background, testSignal, testBackground) = try comm.agree { () -> (StudySample, StudySample, StudySample, StudySample) in
            let signal = try StudySample.open(s.signal, dataset: s.dataset, seed: s.seed ^ salt, stream: 1)
            let background = try StudySample.open(s.background, dataset: s.dataset, seed: s.seed, stream: 2)
            return (signal, background,
                    StudySample.isBuiltIn(s.signal) ? try StudySample.open(s.signal, dataset: s.dataset, seed: s.testSeed ^ salt, stream: 3) : signal,
                    StudySample.isBuiltIn(s.background) ? try StudySample.open(s.background, dataset: s.dataset, seed: s.testSeed, stream: 4) : background)
        }
        let signalOffset = StudySample.isBuiltIn(s.signal) ? 0 : s.testEvents
        let backgroundOffset = StudySample.isBuiltIn(s.background) ? 0 : s.testEvents
        let test = try comm.agree {
            (try encode(testSignal.rows(0..<s.testEvents, purpose: "the test set"), reducer, s),
             try encode(testBackground.rows(0..<s.testEvents, purpose: "the test set"), reducer, s))
        }
        let grid = try comm.agree {
            try LatentStudy.grid(s, model: modelPath, tables: [signal.table("signal"), background.table("background")].compactMap { $0 })
        }
        let kept = try grid.prepare(comm: comm, console: console)
        console.line("study latent: \(reducer.features.count) features vs \(reducer.latent) latent variables of \(s.reducer); "
                     + "\(s.seeds) seeds × \(s.events) + \(s.events) training events, \(2 * s.testEvents) test events" + grid.keptNote(kept))
        // loop: point 2r is seed r's classifier on the features, 2r + 1 on the latent variables.
        let results = try grid.run(kept: kept, comm: comm, console: console, point: { job in
            let r = job / 2, latent = job % 2 == 1
            let sig = try encode(signal.rows((signalOffset + r * s.events)..<(signalOffset + (r + 1) * s.events),
                                             purpose: "\(s.seeds) seeds × \(s.events) rows"), reducer, s)
            let bkg = try encode(background.rows((backgroundOffset + r * s.events)..<(backgroundOffset + (r + 1) * s.events),
                                                 purpose: "\(s.seeds) seeds × \(s.events) rows"), reducer, s)
            var classifier = s.classifier
            classifier.seed = s.seed &+ UInt64(r + 1) &* 1_000_003
            let pick = { (pair: (features: EventTable, latent: EventTable)) in latent ? pair.latent : pair.features }
            let auc = try ClassifierTwoSample.trainedAUC(
                train: .init(positive: pick(sig), negatives: [pick(bkg)]),
                test: .init(positive: pick(test.0), negatives: [pick(test.1)]), settings: classifier)
            return .object([(key: "index", value: .integer(job)), (key: "seed", value: .integer(r)),
                            (key: "input", value: .string(latent ? "latent" : "features")), (key: "auc", value: .number(auc))])
        }, line: { job, result, seconds in
            "  classifier \(job + 1)/\(grid.count) (seed \(job / 2), \(job % 2 == 1 ? "latent variables" : "features")): "
                + "AUC \(result["auc"]?.double?.formatted(4) ?? "-") in \(seconds.formatted(0)) s"
        })
        // save: rank 0 writes latent.json (results only, so a resumed study writes the same bytes) and
        // latent-timing.json.
        try comm.agree {
            guard comm.isRoot else { return }
            let aucs = try results.map { result -> Double in
                guard let auc = result["auc"]?.double else {
                    throw InputError("a classifier result in \(grid.path(grid.folder)) has no AUC; delete that folder and rerun",
                                     exitCode: ExitStatus.dataError)
                }
                return auc
            }
            let features = stride(from: 0, to: aucs.count, by: 2).map { aucs[$0] }
            let latent = stride(from: 1, to: aucs.count, by: 2).map { aucs[$0] }
            let json = JSONValue.object([
                (key: "auc", value: .object([(key: "features", value: AugmentSummary.pair(features)),
                                             (key: "latent", value: AugmentSummary.pair(latent))])),
                (key: "latent", value: .integer(reducer.latent)), (key: "features", value: .integer(reducer.features.count)),
                (key: "aucs", value: .object([(key: "features", value: .array(features.map(JSONValue.number))),
                                              (key: "latent", value: .array(latent.map(JSONValue.number)))])),
                (key: "reducer", value: .string(s.reducer)), (key: "method", value: .string(reducer.method.rawValue)),
                (key: "feature_names", value: .array(reducer.features.map(JSONValue.string))),
                (key: "signal", value: .string(s.signal)), (key: "background", value: .string(s.background)),
                (key: "seeds", value: .integer(s.seeds)), (key: "classifier_steps", value: .integer(s.classifier.steps ?? 0)), (key: "train_events", value: .integer(s.events)),
                (key: "test_rows", value: .integer(2 * s.testEvents)),
            ])
            let timing = JSONValue.object([(key: "seconds", value: .number(clock.seconds)), (key: "ranks", value: .integer(comm.size))])
            try OutputPath(grid.path("latent-timing.json")).write(text: timing.encoderPrettyText + "\n")
            try OutputPath(grid.path("latent.json")).write(text: json.encoderPrettyText + "\n")
            let f = AugmentSummary.meanStd(features)!, l = AugmentSummary.meanStd(latent)!
            console.line(String(format: "AUC signal vs background: %d features %.4f ± %.4f, %d latent %.4f ± %.4f (%d seeds) in %.0f s",
                                reducer.features.count, f.mean, f.std, reducer.latent, l.mean, l.std, s.seeds, clock.seconds)
                         + " -> \(grid.path("latent.json"))")
        }
    }

    /// A physical table -> the reducer's k features (its frame applied) and their n latent codes.
    static func encode(_ physical: EventTable, _ reducer: Reducer, _ s: LatentStudySettings) throws
        -> (features: EventTable, latent: EventTable) {
        let input = try StudySample.select(physical, reducer.inputColumns, from: "a study sample")
        var framed = try reducer.frame.map { try $0.forward(input, seed: s.seed) } ?? input
        framed = try StudySample.select(framed, reducer.features, from: "the framed sample")
        let scaled = try reducer.scaling.forward(framed, seed: s.seed)
        return (framed, reducer.encode(scaled))
    }
}
