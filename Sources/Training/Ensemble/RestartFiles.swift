import Comm
import EventStore
import Foundation
import NN
import Support

/// The files of one restart under `RUN/restarts/NNN/`: `snapshots.jsonl` (one score per line),
/// the kept top-k `snapshot-SSSSSSSS.h5`, the resumable `state.h5`, and `result.json` once it ended.
/// Written by the group's rank 0 only.
public struct RestartFiles {
    public let run: String
    public let index: Int

    public static func directory(run: String, index: Int) -> String {
        ((run as NSString).appendingPathComponent("restarts") as NSString).appendingPathComponent(directoryName(index))
    }
    /// RUN/restarts/NNN: the restart's folder name.
    public static func directoryName(_ index: Int) -> String { String(format: "%03d", index) }
    public var directory: String { RestartFiles.directory(run: run, index: index) }
    public func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
    public var snapshots: String { path("snapshots.jsonl") }
    public var state: String { path("state.h5") }
    public var result: String { path("result.json") }
    public func snapshot(step: Int) -> String { path(RestartFiles.snapshotName(step: step)) }
    /// The file name of a kept snapshot (the leaderboard finds it by the same name).
    public static func snapshotName(step: Int) -> String { String(format: "snapshot-%08d.h5", step) }

    /// The restart's end record, if it ended (finished, pruned or diverged).
    public struct Result: Codable, Equatable {
        public var restart: Int
        public var seed: UInt64
        public var steps: Int
        public var finished: Bool
        public var pruned: Bool
        public var pruned_at: Int?
        public var diverged: Bool?
        /// The group that trained it (which group takes which restart depends on timing).
        public var group: Int?
    }

    public func readResult() -> Result? {
        guard let text = try? String(contentsOfFile: result, encoding: .utf8) else { return nil }
        return try? JSONValue.decode(Result.self, from: text)
    }

    /// result.json: the members in name order, no spaces (the text JSONEncoder with `.sortedKeys` wrote).
    public func writeResult(_ r: Result) throws {
        try OutputPath(result).write(text: try JSONValue(encoding: r).encoderText + "\n")
    }

    /// One line of snapshots.jsonl: scores in "%.6g", null when not finite; names and the reason escaped.
    /// `ks` holds the score's quantities, `ks_columns` every column, `ks_derived` every other computable
    /// derived quantity (present, if empty, in every record since records held them all).
    /// `losses`: each step loss's mean over the `loss_steps` steps since the previous record.
    public static func record(restart: Int, step: Int, score: SnapshotScore, seconds: Double, losses: LossAverages) -> String {
        func number(_ x: Double) -> JSONValue { .number(x, format: "%.6g") }
        func object(_ pairs: [(String, Double)]) -> JSONValue { .object(pairs.map { (key: $0.0, value: number($0.1)) }) }
        let members: [(key: String, value: JSONValue)] = [
            ("restart", .integer(restart)), ("step", .integer(step)), ("ks", object(score.ks)), ("ks_columns", object(score.columns)),
            ("ks_derived", object(score.derived)),
            ("ks_sum", number(score.sum)), ("diverged", .bool(score.diverged)), ("reason", .string(score.reason)),
            ("seconds", number(seconds)), ("losses", object(losses.means)), ("loss_steps", .integer(losses.steps)),
        ]
        // Weighted scores only: the weights `select` re-applies (unweighted records stay as they were).
        let weights = score.weights.isEmpty ? [] : [(key: "weights", value: object(zip(score.ks.map(\.0), score.weights).map { ($0, $1) }))]
        return JSONValue.object(members + weights).serialized + "\n"
    }

    /// (step, ks_sum, diverged, training seconds) of the records with step ≤ `through`, in file order.
    public func readRecords(through: Int) -> [(step: Int, sum: Double, diverged: Bool, seconds: Double?, line: String)] {
        guard let text = try? String(contentsOfFile: snapshots, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONValue.parse(line), let step = object["step"]?.int, step <= through else { return nil }
            return (step, object["ks_sum"]?.double ?? .infinity, object["diverged"]?.bool ?? true, object["seconds"]?.double,
                    String(line))
        }
    }

    /// Rewrites snapshots.jsonl with only the records through `step` (a resumed restart continues after it).
    public func truncateRecords(through step: Int) throws {
        let kept = readRecords(through: step).map { $0.line + "\n" }.joined()
        try OutputPath(snapshots).write(text: kept)
    }

    public func append(_ line: String) throws {
        if !FileManager.default.fileExists(atPath: snapshots) {
            guard FileManager.default.createFile(atPath: snapshots, contents: nil) else {
                throw InputError("cannot create '\(snapshots)'; check that the run directory is writable",
                                 exitCode: ExitStatus.cannotCreate)
            }
        }
        guard let handle = FileHandle(forWritingAtPath: snapshots) else {
            throw InputError("cannot open '\(snapshots)' for appending", exitCode: ExitStatus.cannotCreate)
        }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(line.utf8))
        } catch {
            throw InputError("cannot write '\(snapshots)' (\(OutputPath.reason(error))); free space on its filesystem "
                             + "and rerun the same command to continue", exitCode: ExitStatus.cannotCreate)
        }
    }
}
