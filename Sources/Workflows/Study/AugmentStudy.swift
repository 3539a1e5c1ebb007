import Comm
import Evaluation
import EventStore
import Foundation
import Physics
import Support
import Training

/// `latentsim study augment`: does a signal-vs-background classifier improve when its N real
/// background events are joined by M generated ones, from a generator trained on those same N
/// events only? Every grid point (N, repetition) trains its own small generator ensemble and the
/// classifiers (a) N real, (b) N real + M generated, (c) M generated, each against the same signal
/// rows, and measures them on an independent real test set. Points are independent: they are dealt
/// to ranks round-robin, each on a private communicator and seeded by its index alone, so the
/// result does not depend on the rank count. A stop signal ends it at a point boundary (exit 75) and
/// a rerun continues with the points not finished yet (AugmentStudy+Resume).
public enum AugmentStudy {
    /// Seed offsets: the signal's simulation stream differs from the background's of the same seed.
    static let signalSalt: UInt64 = 0x5349_474E  // "SIGN"

    public static func run(_ s: StudySettings, comm: Communicator, console: Console) throws {
        let clock = Stopwatch()
        // seed: check every table the generators read now, not after the first point's training.
        for (section, schema) in [("reduce", ReduceSettings.schema), ("ensemble", GANSettings.schema)] {
            _ = try comm.agree { try JobConfig.load(path: s.job, section: section, schema: schema, otherSections: JobSections.besides(section)) }
        }
        let inputs = try comm.agree { try StudyInputs(s) }
        // A rerun keeps the points a stopped run finished (same configuration) and redoes the rest.
        let grid = try comm.agree { try AugmentStudy.grid(s, tables: inputs.tables) }
        try comm.agree { if comm.isRoot { try adoptJobCopy(s, grid) } }
        let kept = try grid.prepare(comm: comm, console: console)
        let points = s.points
        console.line("study augment: \(points.count) grid points (N = \(s.nReal.map(String.init).joined(separator: ", ")); "
                     + "\(s.repetitions) seeds each) on \(comm.size) rank(s); M/N = \(s.ratios.map(String.init).joined(separator: ", ")); "
                     + "\(inputs.testSignal.rows) + \(inputs.testBackground.rows) test events" + grid.keptNote(kept))
        // shard -> loop: each point on a private communicator; the ranks agree after every round of
        // points on errors and on a stop signal (StudyGrid).
        let results = try grid.run(kept: kept, comm: comm, console: console, point: { index in
            try runPoint(index: index, n: points[index].n, repetition: points[index].repetition, settings: s, inputs: inputs)
        }, line: { index, result, seconds in
            "  point \(index + 1)/\(points.count) (N = \(points[index].n), seed \(points[index].repetition)): "
                + "AUC real \(result["real"]?.double?.formatted(4) ?? "-") in \(seconds.formatted(0)) s"
        })
        // evaluate -> save: rank 0 gathers the points' results into augment.json.
        try comm.agree {
            guard comm.isRoot else { return }
            let summary = AugmentSummary(settings: s, results: results)
            let json = summary.json(testRows: inputs.testSignal.rows + inputs.testBackground.rows)
            try OutputPath(s.path("timing.json")).write(text: summary.timing(seconds: clock.seconds, ranks: comm.size).encoderPrettyText + "\n")
            try OutputPath(s.path("augment.json")).write(text: json.encoderPrettyText + "\n")
            console.line(summary.table())
        }
        console.line("study augment finished in \(clock.seconds.formatted(0)) s -> \(s.path("augment.json"))")
    }
}

/// Signal and background pools and the test set, built identically on every rank.
struct StudyInputs {
    var signal: StudySample
    var background: StudySample
    /// First usable training row of each pool (rows before it are the held-out test rows).
    var signalOffset = 0
    var backgroundOffset = 0
    var testSignal: EventTable
    var testBackground: EventTable
    /// The tables among them, for the points' configuration (`StudyGrid.Table`).
    var tables: [StudyGrid.Table] = []

    init(_ s: StudySettings) throws {
        signal = try StudySample.open(s.signal, dataset: s.dataset, seed: s.seed ^ AugmentStudy.signalSalt, stream: 1)
        background = try StudySample.open(s.background, dataset: s.dataset, seed: s.seed, stream: 2)
        let signalTest: StudyGrid.Table?, backgroundTest: StudyGrid.Table?
        (testSignal, signalOffset, signalTest) = try StudyInputs.test(s.testSignal, pool: signal, name: s.signal, s: s,
                                                                      seed: s.testSeed ^ AugmentStudy.signalSalt, stream: 3, role: "test_signal")
        (testBackground, backgroundOffset, backgroundTest) = try StudyInputs.test(s.testBackground, pool: background, name: s.background,
                                                                                  s: s, seed: s.testSeed, stream: 4, role: "test_background")
        tables = [signal.table("signal"), background.table("background"), signalTest, backgroundTest].compactMap { $0 }
        try signal.require(signalOffset + s.repetitions * s.signalEvents, purpose: StudyInputs.purpose(s, signalOffset, s.signalEvents, "signal"))
        try background.require(backgroundOffset + s.repetitions * s.nMax, purpose: StudyInputs.purpose(s, backgroundOffset, s.nMax, "background"))
    }

    /// "500 test + 2 seeds × 600 background rows".
    static func purpose(_ s: StudySettings, _ offset: Int, _ each: Int, _ what: String) -> String {
        (offset > 0 ? "\(offset) test + " : "") + "\(s.repetitions) seeds × \(each) \(what) rows"
    }

    /// A given test table (its first test_events rows after shuffling; with its record as `role` when it is a
    /// table), a fresh simulation with the test seed (built-in), or the pool's first test_events rows,
    /// which training then skips.
    static func test(_ path: String?, pool: StudySample, name: String, s: StudySettings, seed: UInt64,
                     stream: UInt64, role: String) throws -> (EventTable, Int, StudyGrid.Table?) {
        if let path {
            let table = try StudySample.open(path, dataset: s.dataset, seed: s.seed, stream: stream)
            return (try table.rows(0..<min(s.testEvents, table.rows), purpose: "the test set"), 0, table.table(role))
        }
        if StudySample.isBuiltIn(name) {
            return (try StudySample.open(name, dataset: s.dataset, seed: seed, stream: stream).rows(0..<s.testEvents, purpose: "the test set"),
                    0, nil)
        }
        return (try pool.rows(0..<s.testEvents, purpose: "the held-out test rows"), s.testEvents, nil)
    }
}
