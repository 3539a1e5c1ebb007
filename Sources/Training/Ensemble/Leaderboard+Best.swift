import Comm
import Foundation
import Support

extension Leaderboard {
    /// Installs `entry` as RUN/best/: generator.h5 (a copy of its snapshot checkpoint), reducer.h5
    /// and config.toml (copies of the run's, when present) and selection.json. Everything is built
    /// in RUN/best.partial/ first and then swapped in, so RUN/best/ is always either the complete
    /// old selection or the complete new one; the old one is removed only after the swap.
    public static func installBest(run: String, entry: Entry, metric: Metric) throws {
        guard entry.isSelectable else {
            throw InputError("cannot install restart \(entry.restart) step \(entry.step) as the best snapshot: it "
                             + (entry.diverged ? "diverged" : "has no stored checkpoint"), exitCode: ExitStatus.software)
        }
        let fm = FileManager.default
        let root = run as NSString
        let best = root.appendingPathComponent("best"), partial = root.appendingPathComponent("best.partial")
        let source = root.appendingPathComponent(entry.snapshot)
        guard fm.fileExists(atPath: source) else {
            throw InputError("cannot install the best snapshot: '\(source)' no longer exists; rerun `latentsim select "
                             + "\(run)` to rank the stored snapshots again", exitCode: ExitStatus.noInput)
        }
        try? fm.removeItem(atPath: partial)  // left over from an interrupted install
        do {
            try fm.createDirectory(atPath: partial, withIntermediateDirectories: false)
            try fm.copyItem(atPath: source, toPath: (partial as NSString).appendingPathComponent("generator.h5"))
            for name in ["reducer.h5", "config.toml"] where fm.fileExists(atPath: root.appendingPathComponent(name)) {
                try fm.copyItem(atPath: root.appendingPathComponent(name), toPath: (partial as NSString).appendingPathComponent(name))
            }
            try selectionJSON(entry, metric: metric).serializedByLine
                .write(toFile: (partial as NSString).appendingPathComponent("selection.json"), atomically: false, encoding: .utf8)
        } catch {
            try? fm.removeItem(atPath: partial)
            throw InputError("cannot build '\(partial)' (\(describe(error))); check that '\(run)' is writable and has "
                             + "space", exitCode: ExitStatus.cannotCreate)
        }
        try replaceDirectory(best, with: partial)
    }

    /// selection.json: which snapshot was chosen, by which metric and value, and its scores.
    public static func selectionJSON(_ e: Entry, metric: Metric) -> JSONValue {
        .object([
            ("restart", .integer(e.restart)), ("step", .integer(e.step)), ("metric", .string(metric.rawValue)),
            ("value", .finite(e.value(metric))),
            ("ks", .object(zip(e.quantities, e.ks).map { (key: $0.0, value: JSONValue.finite($0.1)) })),
            ("ks_sum", .finite(e.ksSum)), ("rank_sum", .finite(e.rankSum)), ("snapshot", .string(e.snapshot)),
        ])
    }

    /// Moves the complete directory `fresh` to `target`. With an existing target the two are
    /// exchanged in one step (Linux renameat2 RENAME_EXCHANGE) and the old one, now at `fresh`,
    /// removed; where that is unavailable the old one is first renamed aside, so `target` is
    /// missing for the moment between two renames but never incomplete.
    public static func replaceDirectory(_ target: String, with fresh: String) throws {
        let fm = FileManager.default
        func move(_ from: String, _ to: String) throws {
            guard rename(from, to) == 0 else {
                throw InputError("cannot move '\(from)' to '\(to)' (\(String(cString: strerror(errno))))",
                                 exitCode: ExitStatus.cannotCreate)
            }
        }
        guard fm.fileExists(atPath: target) else { return try move(fresh, target) }
        if exchange(fresh, target) {
            try? fm.removeItem(atPath: fresh)
            return
        }
        let old = target + ".old"
        try? fm.removeItem(atPath: old)
        try move(target, old)
        try move(fresh, target)
        try? fm.removeItem(atPath: old)
    }

    /// Atomic swap of two paths, looked up at run time: Swift does not import glibc's GNU-only
    /// renameat2, and older kernels or some file systems refuse the flag (then false).
    private static func exchange(_ a: String, _ b: String) -> Bool {
        #if os(Linux)
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32
        guard let symbol = dlsym(nil, "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let renameExchange: UInt32 = 1 << 1  // RENAME_EXCHANGE in <linux/fs.h>
        return renameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0
        #else
        return false
        #endif
    }

    public static func describe(_ error: Error) -> String {
        if let e = error as? CocoaError, let u = e.underlying as? POSIXError { return String(cString: strerror(u.code.rawValue)) }
        if let e = error as? CocoaError, let path = e.filePath { return "\(e.code) at '\(path)'" }
        return error.localizedDescription
    }
}
