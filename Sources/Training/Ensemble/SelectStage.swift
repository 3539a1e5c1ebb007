import Comm
import EventStore
import Foundation
import Support

/// What `select` needs: the ensemble run, the metric (nil: the run's current one, else the one in
/// its config.toml, else ks-sum), how many leaderboard rows to print, the run directories of
/// separately trained restarts to gather into the run first (`gather`), and the quantities to rank on
/// (nil: those of the run's current selection, else the score it trained with; `Leaderboard.rescoring`).
public struct SelectSettings {
    public var run: String
    public var metric: String?
    public var top: Int
    public var from: [String]
    public var score: [String]?

    public init(run: String, metric: String? = nil, top: Int = 10, from: [String] = [], score: [String]? = nil) {
        self.run = run
        self.metric = metric
        self.top = top
        self.from = from
        self.score = score
    }
}

/// The select stage: re-ranks an ensemble run's scored snapshots and installs the best stored one
/// in RUN/best/. Rank 0 does the file work; the other ranks only take part in agreeing on its
/// outcome, so the stage behaves the same under mpirun as alone.
public enum SelectStage {
    public static func run(_ s: SelectSettings, comm: Communicator, console: Console) throws {
        // Short: a stop signal is honoured only before it starts (it then changes nothing).
        let record = StopRecord(directory: s.run, stage: "select")
        StopSignal.tick("select")
        if try comm.stopRequested() {
            throw comm.stopped(record, total: 1, unit: "selections", stop: StageStopped(
                "select did not start (it changed nothing in \(s.run))")) { 0 }
        }
        try comm.agree {
            guard s.top > 0 else {
                throw InputError("--top must be a positive number of rows, found \(s.top)", exitCode: ExitStatus.usage)
            }
            if s.score?.isEmpty == true {
                throw InputError("--score is empty; name the quantities to rank on, e.g. --score all or --score mll,ptll",
                                 exitCode: ExitStatus.usage)
            }
            let run = s.run
            guard comm.isRoot else { return }
            if !s.from.isEmpty { try gather(s.from, into: run) }
            let chosen = try metric(s.metric, run: run)
            let board = try Leaderboard.load(run: run, quantities: s.score ?? currentScore(run: run))
            for warning in board.warnings { console.warn(warning) }
            try board.write(run: run, metric: chosen)
            let diverged = board.entries.filter(\.diverged).count
            console.line("\(board.entries.count) snapshots of \(Set(board.entries.map(\.restart)).count) restarts in "
                         + "\(run) (\(diverged) diverged), ranked by \(chosen.rawValue) over "
                         + (board.quantities.isEmpty ? "no quantities" : board.quantities.joined(separator: ", ")) + ":")
            console.line(board.formattedTable(metric: chosen, top: s.top))
            let best = try board.selection(by: chosen, run: run)
            try Leaderboard.installBest(run: run, entry: best, metric: chosen)
            console.line("selected restart \(best.restart) step \(best.step) (\(chosen.rawValue) "
                         + "\(Leaderboard.format(best.value(chosen), digits: chosen == .ksSum ? 5 : 1))) -> "
                         + (run as NSString).appendingPathComponent("best"))
        }
        comm.clearing(record)
    }

    /// The quantities the run's current selection ranked on (the keys of RUN/best/selection.json's `ks`),
    /// so a bare `select` after `select --score …` keeps that score; nil without a selection.
    public static func currentScore(run: String) -> [String]? {
        let path = (run as NSString).appendingPathComponent("best/selection.json")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let keys = (try? JSONValue.parse(text))?["ks"]?.members?.map(\.key), !keys.isEmpty else { return nil }
        return keys
    }

    /// The metric named on the command line, else the one the run's current selection used (so a
    /// bare `select` after pruning or deleting files keeps the run's criterion), else the metric of the
    /// run's config.toml (a gathered array run ranks as its one-allocation twin), else ks-sum.
    public static func metric(_ name: String?, run: String) throws -> Leaderboard.Metric {
        if let name {
            guard let m = Leaderboard.Metric(rawValue: name) else {
                throw InputError("unknown metric '\(name)'; expected one of: \(Leaderboard.Metric.names)",
                                 exitCode: ExitStatus.usage)
            }
            return m
        }
        let path = (run as NSString).appendingPathComponent("best/selection.json")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let previous = (try? JSONValue.parse(text))?["metric"]?.string,
              let m = Leaderboard.Metric(rawValue: previous) else { return configuredMetric(run: run) ?? .ksSum }
        return m
    }
}
