import Comm
import EventStore
import Foundation
import Support

extension Leaderboard {
    /// Writes RUN/leaderboard.json (a list of entry objects, best first, one per line) and
    /// RUN/leaderboard.csv (header `rank,restart,step,<quantities>,ks_sum,rank_sum,diverged,pruned,stored`),
    /// each under a temporary name renamed into place, so a reader never sees half a file.
    public func write(run: String, metric: Metric) throws {
        let order = ranked(by: metric)
        let objects: [String] = order.enumerated().map { "  " + json(for: $0.element, rank: $0.offset + 1).serialized }
        let text = objects.isEmpty ? "[]\n" : "[\n" + objects.joined(separator: ",\n") + "\n]\n"
        try OutputPath((run as NSString).appendingPathComponent("leaderboard.json")).write(text: text)
        try OutputPath((run as NSString).appendingPathComponent("leaderboard.csv")).write(text: csv(order))
    }

    /// One leaderboard.json object: `rank` is the position in the chosen order (diverged entries last).
    public func json(for e: Entry, rank: Int) -> JSONValue {
        .object([
            ("rank", .integer(rank)), ("restart", .integer(e.restart)), ("step", .integer(e.step)),
            ("ks", .object(zip(e.quantities, e.ks).map { (key: $0.0, value: JSONValue.finite($0.1)) })),
            ("ks_sum", .finite(e.ksSum)), ("rank_sum", .finite(e.rankSum)), ("diverged", .bool(e.diverged)),
            ("reason", .string(e.reason)), ("pruned", .bool(e.pruned)), ("stored", .bool(e.stored)),
            ("snapshot", .string(e.snapshot)),
        ])
    }

    /// CSV in the given order; missing numbers (diverged entries) are empty fields.
    public func csv(_ order: [Entry]) -> String {
        func number(_ v: Double) -> String { v.isFinite ? "\(v)" : "" }
        let header: [String] = ["rank", "restart", "step"] + quantities + ["ks_sum", "rank_sum", "diverged", "pruned", "stored"]
        var lines = [header.map(Leaderboard.csvField).joined(separator: ",")]
        for (i, e) in order.enumerated() {
            let flags: [String] = [number(e.ksSum), number(e.rankSum), String(e.diverged), String(e.pruned), String(e.stored)]
            let cells: [String] = [String(i + 1), String(e.restart), String(e.step)] + e.ks.map(number) + flags
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Quantity names are identifiers in practice; quote anything that would break the row anyway.
    public static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// The console table: the first `top` entries in the metric's order, the metric's column marked
    /// with `*`, the selectable best marked in the state column (an unstored or diverged entry can
    /// rank above it), and a note of how many rows the files hold beyond them.
    public func formattedTable(metric: Metric, top: Int) -> String {
        let order = ranked(by: metric)
        let marked: [String] = [metric == .ksSum ? "ks_sum*" : "ks_sum", metric == .rankSum ? "rank_sum*" : "rank_sum", "state"]
        let header: [String] = ["rank", "restart", "step"] + quantities + marked
        let chosen = best(by: metric)
        var rows: [[String]] = []
        for (i, e) in order.prefix(max(top, 0)).enumerated() {
            let notes: [String?] = [e == chosen ? "best" : nil, e.pruned ? "pruned" : nil, e.stored ? nil : "not stored"]
            let state = e.diverged ? "diverged" + (e.reason.isEmpty ? "" : " (\(e.reason))")
                : notes.compactMap { $0 }.joined(separator: ", ")
            let scores: [String] = e.ks.map { Leaderboard.format($0, digits: 5) }
            let sums: [String] = [Leaderboard.format(e.ksSum, digits: 5), Leaderboard.format(e.rankSum, digits: 1), state]
            rows.append([String(i + 1), String(e.restart), String(e.step)] + scores + sums)
        }
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            var text = cells.enumerated().map { c, cell in
                c == cells.count - 1 ? cell : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        let rule: [String] = widths.map { String(repeating: "-", count: $0) }
        var lines: [String] = [line(header), line(rule)] + rows.map(line)
        if order.count > rows.count { lines.append("… \(order.count - rows.count) more in leaderboard.csv") }
        return lines.joined(separator: "\n")
    }

    public static func format(_ v: Double, digits: Int) -> String { v.isFinite ? String(format: "%.\(digits)f", v) : "-" }
}
