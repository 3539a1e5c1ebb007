import Comm
import EventStore
import Foundation
import Support

/// `select RUN --from PART...`: an ensemble trained as separate jobs (a Slurm array, one
/// `train-gan --restart I --out PART` per task) is gathered into one run directory before it is
/// ranked. Each PART is a complete run directory of its own restart(s); RUN gets a relative symbolic
/// link RUN/restarts/NNN -> PART/restarts/NNN per restart (nothing is copied, and the parts stay
/// valid), PART's config.toml (its `out` set to RUN; the parts' may differ only there) and reducer.h5 (latent space) or heldout.h5 (full space). The
/// leaderboard is then the one a single `ensemble` run of the same configuration writes.
extension SelectStage {
    /// Rank 0 only. Refuses parts with different configurations, unfinished restarts and a restart
    /// found in two places, before linking anything.
    public static func gather(_ parts: [String], into run: String) throws {
        let fm = FileManager.default
        let root = run as NSString
        var config = try? String(contentsOfFile: root.appendingPathComponent("config.toml"), encoding: .utf8)
        var configSource = root.appendingPathComponent("config.toml")
        var links: [(restart: String, from: String)] = []
        for part in parts {
            let restarts = (part as NSString).appendingPathComponent("restarts")
            guard Leaderboard.isDirectory(restarts) else {
                throw InputError("'\(part)' is not an ensemble run directory: no restarts/ folder in it; pass the --out of "
                                 + "each `latentsim train-gan --restart I` (one per array task)", exitCode: ExitStatus.noInput)
            }
            let path = (part as NSString).appendingPathComponent("config.toml")
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw InputError("'\(path)' is missing; '\(part)' was not written by `latentsim train-gan` or `ensemble`",
                                 exitCode: ExitStatus.noInput)
            }
            // By effective values, so a part resumed by a newer build (which rewrites config.toml with
            // options added since, at their defaults) still gathers with the parts it did not touch.
            if let config, let d = try ConfigDifference.first(stored: config, storedFile: configSource, current: text,
                                                              section: "ensemble", schema: GANSettings.schema, ignoring: ["out"]) {
                throw InputError("'\(path)' differs from '\(configSource)' in \(d.name) (\(d.current ?? "unset") vs "
                                 + "\(d.stored ?? "unset")): restarts trained with different configurations cannot be ranked "
                                 + "together; retrain that part with the same job file and options", exitCode: ExitStatus.usage)
            }
            config = text
            configSource = path
            let names = ((try? fm.contentsOfDirectory(atPath: restarts)) ?? [])
                .filter { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }.sorted()
            for name in names {
                let folder = (restarts as NSString).appendingPathComponent(name)
                guard RestartFiles(run: part, index: Int(name) ?? 0).readResult() != nil else {
                    throw InputError("restart \(name) in '\(part)' has not finished (no result.json); rerun its task (the "
                                     + "same command continues it), then select again", exitCode: ExitStatus.dataError)
                }
                if let earlier = links.first(where: { $0.restart == name }) {
                    throw InputError("restart \(name) is in both '\(earlier.from)' and '\(folder)'; give each restart "
                                     + "index to one task only", exitCode: ExitStatus.usage)
                }
                links.append((name, folder))
            }
        }
        guard let config, let first = parts.first else { return }
        let target = root.appendingPathComponent("restarts")
        do { try fm.createDirectory(atPath: target, withIntermediateDirectories: true) } catch {
            throw InputError("cannot create '\(target)' (\(Leaderboard.describe(error))); choose a writable RUN",
                             exitCode: ExitStatus.cannotCreate)
        }
        if !fm.fileExists(atPath: root.appendingPathComponent("config.toml")) {
            let here = "out = " + TOMLValue.string(run).tomlText
            try OutputPath(root.appendingPathComponent("config.toml"))
                .write(text: config.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { $0.hasPrefix("out = ") ? here : String($0) }.joined(separator: "\n"))
        }
        for name in ["reducer.h5", HeldOutTable.fileName] {
            let source = (first as NSString).appendingPathComponent(name), copy = root.appendingPathComponent(name)
            guard fm.fileExists(atPath: source), !fm.fileExists(atPath: copy) else { continue }
            let output = OutputPath(copy)
            output.discard()
            do { try fm.linkItem(atPath: source, toPath: output.temporary) } catch {
                do { try fm.copyItem(atPath: source, toPath: output.temporary) } catch {
                    throw InputError("cannot copy '\(source)' to '\(copy)' (\(Leaderboard.describe(error)))",
                                     exitCode: ExitStatus.cannotCreate)
                }
            }
            try output.commit()
        }
        for (name, folder) in links {
            let link = (target as NSString).appendingPathComponent(name)
            let destination = relativePath(from: target, to: folder)
            if let existing = try? fm.destinationOfSymbolicLink(atPath: link) {
                if existing == destination { continue }
                throw InputError("'\(link)' already points to '\(existing)', not to '\(folder)'; remove it or choose another RUN",
                                 exitCode: ExitStatus.usage)
            }
            if fm.fileExists(atPath: link) {
                throw InputError("'\(link)' already holds a restart trained in RUN itself; gather the parts into an empty RUN",
                                 exitCode: ExitStatus.usage)
            }
            do { try fm.createSymbolicLink(atPath: link, withDestinationPath: destination) } catch {
                throw InputError("cannot link '\(link)' (\(Leaderboard.describe(error)))", exitCode: ExitStatus.cannotCreate)
            }
        }
    }

    /// `to` relative to the directory `from` (both made absolute and free of symbolic links), so
    /// RUN and its parts can be moved together.
    public static func relativePath(from: String, to: String) -> String {
        func parts(_ path: String) -> [String] {
            URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().pathComponents
        }
        let a = parts(from), b = parts(to)
        var common = 0
        while common < min(a.count, b.count) && a[common] == b[common] { common += 1 }
        return (Array(repeating: "..", count: a.count - common) + b[common...]).joined(separator: "/")
    }

    /// The selection metric stored in RUN/config.toml ([ensemble] metric), if it parses.
    public static func configuredMetric(run: String) -> Leaderboard.Metric? {
        let path = (run as NSString).appendingPathComponent("config.toml")
        guard FileManager.default.fileExists(atPath: path),
              var job = try? JobConfig.load(path: path, section: "ensemble", schema: GANSettings.schema,
                                            otherSections: JobSections.besides("ensemble")),
              let name = try? job.string("metric") else { return nil }
        return Leaderboard.Metric(rawValue: name)
    }
}
