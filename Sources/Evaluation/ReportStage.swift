import Comm
import Foundation
import Support

/// What `report` draws: the run directory (the pipeline's output, or any directory holding an
/// evaluation.json), where report/ goes (nil: into the run directory) and the study directory
/// (nil: RUN/study when it exists).
public struct ReportSettings {
    public var run: String
    public var out: String?
    public var study: String?

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
            let python = try ReportPython.locate()
            var arguments = ["-m", "latentsim_report", s.run]
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
}
