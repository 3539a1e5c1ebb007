import Comm
import Foundation
import Support

extension Leaderboard {
    /// Reads every RUN/restarts/NNN/snapshots.jsonl (and result.json for `pruned`). `quantities`
    /// are the score quantities (`all` = every column and derived quantity, see `rescoring`), looked up
    /// in each record's `ks`, `ks_columns` and `ks_derived`; nil means the keys of `ks` in the first record
    /// that has any, in the order the trainer wrote them. Unparsable lines are skipped with a warning: a
    /// killed run leaves a truncated last line, and a resumed one may have appended after it.
    public static func load(run: String, quantities: [String]? = nil) throws -> Leaderboard {
        let restarts = (run as NSString).appendingPathComponent("restarts")
        guard isDirectory(run) else {
            throw InputError("ensemble run directory '\(run)' does not exist; pass the directory `latentsim ensemble` "
                             + "wrote (its --out)", exitCode: ExitStatus.noInput)
        }
        guard isDirectory(restarts) else {
            throw InputError("'\(run)' is not an ensemble run directory: no restarts/ folder in it; pass the directory "
                             + "`latentsim ensemble` wrote (its --out)", exitCode: ExitStatus.noInput)
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: restarts) } catch {
            throw InputError("cannot list '\(restarts)' (\(error.localizedDescription)); check its permissions",
                             exitCode: ExitStatus.noInput)
        }
        let folders = names.compactMap { name in
            name.allSatisfy(\.isASCIIDigit) ? Int(name).map { (restart: $0, name: name) } : nil
        }.sorted { $0.restart < $1.restart }
        var records: [Record] = [], warnings: [String] = []
        for folder in folders {
            let directory = (restarts as NSString).appendingPathComponent(folder.name)
            let pruned = readPruned(directory: directory, warnings: &warnings)
            let path = (directory as NSString).appendingPathComponent("snapshots.jsonl")
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            records += parse(text, path: path, restart: folder.restart, directory: folder.name, pruned: pruned,
                             warnings: &warnings)
        }
        let chosen = try quantities.map { try rescoring($0, records: records, restarts: restarts) }
            ?? records.first { !$0.ks.isEmpty }.map { $0.ks.map(\.key) } ?? []
        let entries = records.map { r in
            Entry(restart: r.restart, step: r.step, quantities: chosen,
                  ks: chosen.map { q in r.held.first { $0.key == q }?.value ?? .nan }, diverged: r.diverged, reason: r.reason,
                  pruned: r.pruned, stored: FileManager.default.fileExists(
                      atPath: (run as NSString).appendingPathComponent(snapshotPath(directory: r.directory, step: r.step))),
                  directory: r.directory, weights: r.weights.isEmpty ? [] : chosen.map { r.weights[$0] ?? 1 })
        }
        return Leaderboard(quantities: chosen, entries: entries, warnings: warnings)
    }

    /// One line of snapshots.jsonl as read.
    public struct Record {
        public let restart: Int
        public let directory: String
        public let step: Int
        public let ks: [(key: String, value: Double)]
        public let diverged: Bool
        public let reason: String
        public let pruned: Bool
        /// The score's weights when it had any (`score_weights`), by quantity.
        public var weights: [String: Double] = [:]
        /// Every KS the record holds: `ks`, then `ks_columns`, then `ks_derived`.
        public var held: [(key: String, value: Double)] = []
        /// The keys of `ks_columns`, in order.
        public var columns: [String] = []
        /// The record has `ks_derived`: it holds the KS of every derived quantity the columns allow
        /// (records written before they were recorded lack it).
        public var holdsEveryDerived = false
    }

    /// The records of one file in step order; a step recorded twice (a resumed restart scoring it
    /// again) keeps its last record.
    public static func parse(_ text: String, path: String, restart: Int, directory: String, pruned: Bool,
                      warnings: inout [String]) -> [Record] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let last = lines.lastIndex { !$0.allSatisfy(\.isWhitespace) }
        var byStep: [Int: Record] = [:]
        for (number, line) in lines.enumerated() where !line.allSatisfy(\.isWhitespace) {
            let object: JSONValue
            do { object = try JSONValue.parse(line) } catch {
                warnings.append(number == last ? "skipped the truncated last line \(number + 1) of \(path)"
                                : "skipped line \(number + 1) of \(path): \(error)")
                continue
            }
            guard let step = object["step"]?.int, object.members != nil else {
                warnings.append("skipped line \(number + 1) of \(path): not a snapshot record (no integer \"step\")")
                continue
            }
            func values(_ key: String) -> [(key: String, value: Double)] {
                (object[key]?.members ?? []).map { (key: $0.key, value: $0.value.double ?? .nan) }
            }
            let ks = values("ks")
            byStep[step] = Record(restart: restart, directory: directory, step: step, ks: ks,
                                  diverged: object["diverged"]?.bool ?? false, reason: object["reason"]?.string ?? "",
                                  pruned: pruned,
                                  weights: (object["weights"]?.members ?? []).reduce(into: [:]) { $0[$1.key] = $1.value.double ?? 1 },
                                  held: ks + values("ks_columns") + values("ks_derived"), columns: values("ks_columns").map(\.key),
                                  holdsEveryDerived: object["ks_derived"] != nil)
        }
        return byStep.values.sorted { $0.step < $1.step }
    }

    /// `pruned` from result.json; false while the restart runs (no file yet).
    public static func readPruned(directory: String, warnings: inout [String]) -> Bool {
        let path = (directory as NSString).appendingPathComponent("result.json")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
        guard let result = try? JSONValue.parse(text), result.members != nil else {
            warnings.append("ignored \(path): not a JSON object")
            return false
        }
        return result["pruned"]?.bool ?? false
    }

    public static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
