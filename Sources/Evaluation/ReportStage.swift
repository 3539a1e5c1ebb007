import Comm
import Foundation
import Support

/// What `report` draws: the run directory (the pipeline's output, or any directory holding an
/// evaluation.json), where report/ goes (nil: into the run directory) and the study directory
/// (nil: RUN/study when it exists), and where the column roles come from.
public struct ReportSettings {
    public var run: String
    public var out: String?
    public var study: String?
    /// `--config` / `--roles`: which columns play the roles the derived quantities are computed from.
    /// Without `--config`, the `[roles]` of RUN/ensemble/config.toml (the run's), which `--roles`
    /// overrides role by role; neither: the built-in names.
    public var rolesConfig: String? = nil
    public var rolesOption: String? = nil

    public init(run: String, out: String? = nil, study: String? = nil) {
        self.run = run
        self.out = out
        self.study = study
    }

    /// DIR/report/index.html.
    public var index: String { ((out ?? run) as NSString).appendingPathComponent("report/index.html") }
}

/// Python or its plotting packages are not installed: the one thing `report` needs that latentsim
/// cannot do itself. The pipeline notes it and still finishes.
public struct ReportUnavailable: ReportableError {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var exitCode: Int32 { ExitStatus.unavailable }
    public var description: String { message }
}

/// The report stage: rank 0 runs the Python module python/latentsim_report (matplotlib + mplhep),
/// which reads only the HDF5 and JSON files the other stages wrote and writes DIR/report/ under a
/// temporary name first. The other ranks wait for its outcome (errors are agreed).
public enum ReportStage {
    public static func run(_ s: ReportSettings, comm: Communicator, console: Console) throws {
        try comm.agree {
            guard comm.isRoot else { return }
            let roles = try ColumnRoles.load(job: s.rolesConfig ?? runConfig(s.run), cli: s.rolesOption)
            let python = try ReportPython.locate()
            var arguments = ["-m", "latentsim_report", s.run, "--roles", try rolesJSON(roles)]
            if let out = s.out { arguments += ["--out", out] }
            if let study = s.study { arguments += ["--study", study] }
            let outcome = try python.run(arguments)
            for line in outcome.stdout.split(separator: "\n") { console.line(String(line)) }
            let lastLine = outcome.stderr.split(separator: "\n").last.map(String.init) ?? ""
            let message = lastLine.hasPrefix("error: ") ? String(lastLine.dropFirst(7)) : lastLine
            switch outcome.status {
            case 0: return
            case ExitStatus.unavailable: throw ReportUnavailable(message)
            case ExitStatus.noInput: throw InputError(message, exitCode: ExitStatus.noInput)
            default:
                throw InputError("the report module failed (python3 -m latentsim_report, exit code \(outcome.status)): "
                                 + "\(message.isEmpty ? "no message" : message)", exitCode: ExitStatus.software)
            }
        }
    }

    /// RUN/ensemble/config.toml when it exists: the run's config, ending with the `[roles]` it used.
    static func runConfig(_ run: String) -> String? {
        let path = ((run as NSString).appendingPathComponent("ensemble") as NSString).appendingPathComponent("config.toml")
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The role map as the module's `--roles` JSON object (keys sorted; `{}` for the built-in names).
    static func rolesJSON(_ roles: ColumnRoles) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(roles.mapping), as: UTF8.self)
    }
}
