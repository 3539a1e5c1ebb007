import Evaluation
import Foundation
import NN
import Support
import Training

/// The [study] table of a job file: the augmentation grid (real background sizes N, ratios M/N,
/// repetitions), where signal, background and the independent test set come from, and the
/// classifier. The generators behind the grid read [ensemble] (and [reduce] for space = latent)
/// from the same file; without an [ensemble] table they use `defaultGenerator`.
public struct StudySettings {
    public var job: String?
    public var out: String
    /// Built-in process name or a table path (HDF5/CSV), and the dataset inside an HDF5 table.
    public var signal: String
    public var background: String
    public var dataset: String
    /// Test tables; nil: a fresh simulation with `testSeed` (built-in) or held-out rows (tables).
    public var testSignal: String?
    public var testBackground: String?
    public var seed: UInt64
    public var testSeed: UInt64
    public var nReal: [Int]
    public var ratios: [Int]
    public var repetitions: Int
    public var signalEvents: Int
    public var testEvents: Int
    public var classifier: BinaryClassifier.Settings

    public static let schema: [ConfigOption] = [
        ConfigOption("out", .string, default: "runs/study", help: "Study directory (augment.json, points/)."),
        ConfigOption("signal", .string, default: "zh-inv", help: "Signal: a built-in process (dy, zh-inv) or a table path."),
        ConfigOption("background", .string, default: "dy", help: "Background: a built-in process or a table path."),
        ConfigOption("dataset", .string, default: "events", help: "Dataset inside the HDF5 tables."),
        ConfigOption("test_signal", .string, help: "Signal test table (default: fresh simulation, or held-out rows of a table)."),
        ConfigOption("test_background", .string, help: "Background test table (default as test_signal)."),
        ConfigOption("seed", .int, default: 1, help: "Seed of the training samples, generators and classifiers."),
        ConfigOption("test_seed", .int, default: 1001, help: "Simulation seed of the built-in test set (must differ from seed)."),
        ConfigOption("n_real", .ints, default: [2000, 8000, 32000], help: "Real background sizes N."),
        ConfigOption("ratios", .ints, default: [0, 1, 4, 16], help: "Generated-to-real ratios M/N."),
        ConfigOption("seeds", .int, default: 3, help: "Repetitions per N (new real sample, generator and classifier)."),
        ConfigOption("signal_events", .int, default: 20000, help: "Signal training rows (the same for a, b, c)."),
        ConfigOption("test_events", .int, default: 50000, help: "Test rows per class."),
        ConfigOption("classifier_steps", .int, default: 3000, help: "Classifier optimizer steps (the same for every training set size)."),
        ConfigOption("classifier_batch", .int, default: 256, help: "Classifier batch."),
        ConfigOption("classifier_hidden", .ints, default: [32, 32], help: "Classifier hidden widths."),
        ConfigOption("classifier_lr", .double, default: 1e-3, help: "Classifier Adam learning rate."),
    ]

    /// The generator ensemble of a job file without an [ensemble] table: GANs on the full features,
    /// dimuon mass as a feature, spiked columns through their CDF, small networks, 2 restarts of 1000
    /// steps (jobs/study_quick.toml's [ensemble]). jet5_pt
    /// is left out: it is non-zero in 0.08 % of DY events, so a 2k sample often has none and the
    /// preprocessing would take the all-zero column for an integer one.
    public static let defaultColumns = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz", "nvtx",
                                        "met_px", "met_py", "mu1_iso", "mu2_iso", "jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt"]
    public static let defaultGenerator: [(String, TOMLValue)] = [
        ("space", .string("full")), ("columns", .array(defaultColumns.map(TOMLValue.string))), ("model", .string("gan")), ("pair_mass", .array([.string("mu1"), .string("mu2")])),
        ("quantile", .array(["mu1_iso", "mu2_iso", "jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt"].map(TOMLValue.string))),
        ("restarts", .integer(2)), ("steps", .integer(1000)), ("snapshot_every", .integer(100)),
        ("validation_events", .integer(5000)), ("batch", .integer(512)), ("noise", .integer(16)),
        ("generator_widths", .array([64, 128, 128].map { .integer($0) })), ("discriminator_widths", .array([128, 128, 64].map { .integer($0) })),
        ("schedule", .string("cosine")), ("regression", .array([])), ("top_k", .integer(2)),
    ]

    public static func load(job: String?, out: String?) throws -> StudySettings {
        var c = try JobConfig.load(path: job, section: "study", schema: schema, otherSections: JobSections.besides("study"))
        let hidden = try c.ints("classifier_hidden")
        var s = StudySettings(
            job: job, out: try c.string("out", cli: out), signal: try c.string("signal"), background: try c.string("background"),
            dataset: try c.string("dataset"), testSignal: c.value("test_signal")?.stringValue,
            testBackground: c.value("test_background")?.stringValue,
            seed: UInt64(bitPattern: Int64(try c.int("seed"))), testSeed: UInt64(bitPattern: Int64(try c.int("test_seed"))),
            nReal: try c.ints("n_real"), ratios: try c.ints("ratios"), repetitions: try c.int("seeds"),
            signalEvents: try c.int("signal_events"), testEvents: try c.int("test_events"),
            classifier: BinaryClassifier.Settings(batch: try c.int("classifier_batch"), hidden: hidden,
                                                  learningRate: Float(try c.double("classifier_lr")),
                                                  steps: try c.int("classifier_steps")))
        try s.validate()
        s.nReal.sort()
        s.ratios.sort()
        return s
    }

    func validate() throws {
        let place = job.map { " in [study] of '\($0)'" } ?? ""
        func fail(_ what: String) -> Error { InputError(what + place, exitCode: ExitStatus.usage) }
        guard !nReal.isEmpty, nReal.allSatisfy({ $0 >= 100 }), Set(nReal).count == nReal.count else {
            throw fail("n_real must list distinct real background sizes of at least 100 events, found \(nReal)")
        }
        guard !ratios.isEmpty, ratios.allSatisfy({ $0 >= 0 }), Set(ratios).count == ratios.count, ratios.contains(where: { $0 > 0 }) else {
            throw fail("ratios must list distinct M/N values >= 0 with at least one above 0, found \(ratios)")
        }
        for (name, value, least) in [("seeds", repetitions, 2), ("signal_events", signalEvents, 100), ("test_events", testEvents, 100),
                                     ("classifier_steps", classifier.steps ?? 0, 1), ("classifier_batch", classifier.batch, 1)]
        where value < least {
            throw fail("\(name) must be at least \(least) (a spread needs 2 seeds), found \(value)")
        }
        guard classifier.hidden.allSatisfy({ $0 > 0 }) else { throw fail("classifier_hidden widths must be positive, found \(classifier.hidden)") }
        if StudySample.isBuiltIn(signal) && StudySample.isBuiltIn(background) && signal == background {
            throw fail("signal and background are both '\(signal)'; the study needs two different processes")
        }
        if (StudySample.isBuiltIn(signal) || StudySample.isBuiltIn(background)) && seed == testSeed
            && (testSignal == nil || testBackground == nil) {
            throw fail("test_seed equals seed (\(seed)): the test set must be a fresh simulation; set another test_seed")
        }
    }

    public var nMax: Int { nReal.last! }
    public var ratioMax: Int { ratios.last! }
    /// Grid points: every (N, repetition), N-major; point i is seeded by i alone.
    public var points: [(n: Int, repetition: Int)] { nReal.flatMap { n in (0..<repetitions).map { (n, $0) } } }
    public func path(_ name: String) -> String { (out as NSString).appendingPathComponent(name) }
}
