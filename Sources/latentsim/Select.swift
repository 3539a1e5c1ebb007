import ArgumentParser
import Comm
import Foundation
import Support
import Training
import Generation
import Evaluation

struct Select: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-rank an ensemble run's scored snapshots and install the best stored one in RUN/best/ (no retraining).",
        discussion: "Reads RUN/restarts/*/snapshots.jsonl, rewrites RUN/leaderboard.csv and RUN/leaderboard.json in the "
            + "chosen order and replaces RUN/best/ (generator.h5, reducer.h5, config.toml, selection.json) with the best "
            + "snapshot whose checkpoint is still stored and that did not diverge. ks-sum: lowest sum of the score "
            + "quantities' KS statistics. rank-sum: per quantity every non-diverged snapshot is ranked by its KS "
            + "(ties share the average rank); lowest sum of ranks wins.")

    @Argument(help: ArgumentHelp("Ensemble run directory (the --out of `latentsim ensemble`).", valueName: "run"))
    var directory: String
    @Option(help: "ks-sum or rank-sum (default: the metric of RUN/best/selection.json, else ks-sum).")
    var metric: String?
    @Option(help: "Rows of the leaderboard to print.") var top = 10

    /// Rank 0 does the file work; the other ranks only take part in agreeing on its outcome, so the
    /// command behaves the same under mpirun as alone.
    func run() throws {
        let comm = try Communicator.world()
        let console = Console(comm: comm)
        try comm.agree {
            guard top > 0 else {
                throw InputError("--top must be a positive number of rows, found \(top)", exitCode: ExitStatus.usage)
            }
            let run = directory
            let chosen = try Select.metric(metric, run: run)
            guard comm.isRoot else { return }
            let board = try Leaderboard.load(run: run)
            for warning in board.warnings { console.warn(warning) }
            try board.write(run: run, metric: chosen)
            let diverged = board.entries.filter(\.diverged).count
            console.line("\(board.entries.count) snapshots of \(Set(board.entries.map(\.restart)).count) restarts in "
                         + "\(run) (\(diverged) diverged), ranked by \(chosen.rawValue) over "
                         + (board.quantities.isEmpty ? "no quantities" : board.quantities.joined(separator: ", ")) + ":")
            console.line(board.formattedTable(metric: chosen, top: top))
            let best = try board.selection(by: chosen, run: run)
            try Leaderboard.installBest(run: run, entry: best, metric: chosen)
            console.line("selected restart \(best.restart) step \(best.step) (\(chosen.rawValue) "
                         + "\(Leaderboard.format(best.value(chosen), digits: chosen == .ksSum ? 5 : 1))) -> "
                         + (run as NSString).appendingPathComponent("best"))
        }
    }

    /// The metric named on the command line, else the one the run's current selection used (so a
    /// bare `select` after pruning or deleting files keeps the run's criterion), else ks-sum, the default of ensemble.
    static func metric(_ name: String?, run: String) throws -> Leaderboard.Metric {
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
              let m = Leaderboard.Metric(rawValue: previous) else { return .ksSum }
        return m
    }
}
