import Comm
import Foundation
import Support

/// Thrown when a stage stops on a signal for the second time without having saved any more work
/// than at the previous stop: requeueing it again would loop forever (exit 78, not 75).
public struct NoProgress: ReportableError {
    public let stage: String
    public let progress: Int
    public let total: Int
    public let unit: String
    public let record: String
    public var exitCode: Int32 { ExitStatus.noProgress }
    public var description: String {
        "\(stage) stopped again on a signal with no progress since the last stop (\(progress) of \(total) \(unit) saved both "
            + "times, recorded in \(record)); give the job a longer time limit (or an earlier warning signal) and rerun, "
            + "or delete \(record) to allow one more try"
    }
}

/// The requeue guard: the progress a stage had saved (steps, shards, …) when it last stopped on a
/// signal, kept as a small hidden JSON file in its output directory. Each stop compares with the
/// record and rewrites it; a stage that finishes, or starts afresh, removes it.
public struct StopRecord {
    public let stage: String
    public let path: String

    /// DIRECTORY/.latentsim-stop-STAGE.json, for stages that write a directory (reduce, ensemble, generate, select).
    public init(directory: String, stage: String) {
        self.stage = stage
        path = (directory as NSString).appendingPathComponent(".latentsim-stop-\(stage).json")
    }

    /// .FILE.latentsim-stop-STAGE.json beside FILE, for stages that write one file (simulate, evaluate).
    public init(beside file: String, stage: String) {
        self.stage = stage
        let output = OutputPath(file)
        path = (output.directory as NSString).appendingPathComponent(".\((file as NSString).lastPathComponent).latentsim-stop-\(stage).json")
    }

    /// The progress saved at the last stop, nil if there was none (or the record is unreadable).
    public func previous() -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let json = try? JSONValue.parse(text),
              json["stage"]?.string == stage else { return nil }
        return json["progress"]?.int
    }

    /// At a stop, after the stage saved what it can: refuses (NoProgress) when `progress` is not more
    /// than at the previous stop, else records it. One rank (rank 0) calls it.
    public func stopped(progress: Int, total: Int, unit: String) throws {
        if let last = previous(), progress <= last {
            throw NoProgress(stage: stage, progress: progress, total: total, unit: unit, record: path)
        }
        let json = JSONValue.object([("stage", .string(stage)), ("progress", .integer(progress)), ("total", .integer(total)),
                                     ("unit", .string(unit))])
        let output = OutputPath(path)
        try output.prepare()
        try output.write(text: json.serialized + "\n")
    }

    /// The stage finished (or starts from scratch): the next stop is compared with nothing.
    public func clear() { unlink(path) }
}

extension Communicator {
    /// Ends a stage that stopped at a safe point: rank 0 checks `record` (progress computed there)
    /// and every rank returns the same error to throw — `stop` (exit 75) or NoProgress (exit 78) —
    /// reported once by rank 0. Without a record (no output directory) it is always `stop`.
    public func stopped(_ record: StopRecord?, total: Int, unit: String, stop: ReportableError,
                        progress: () throws -> Int) -> Error {
        do {
            try agree { if isRoot, let record { try record.stopped(progress: try progress(), total: total, unit: unit) } }
        } catch {
            return error
        }
        return reportedOnce(stop)
    }

    /// Rank 0 removes `record` (the stage finished or starts afresh).
    public func clearing(_ record: StopRecord) {
        if isRoot { record.clear() }
    }
}
