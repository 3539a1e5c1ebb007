import Foundation
import XCTest

/// A real Slurm cluster on this host for one test class: scripts/slurm-up.sh starts munged,
/// slurmctld and `nodes` slurmd under a fresh directory, scripts/slurm-down.sh stops them by pid.
/// When Slurm is not installed (slurm-up.sh exits 3) the tests skip with the script's reason.
final class SlurmCluster: @unchecked Sendable {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    struct SubmitFailed: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    enum Start {
        case up(SlurmCluster)
        case unavailable(String)
        case failed(String)

        /// The running cluster; a test skips (with the printed reason) where Slurm cannot be
        /// installed, and fails where the cluster should have started but did not.
        func require() throws -> SlurmCluster {
            switch self {
            case .up(let c): return c
            case .unavailable(let reason):
                print("Slurm tests skipped: \(reason)")
                throw XCTSkip("Slurm not available: \(reason)")
            case .failed(let message): XCTFail(message); throw XCTSkip(message)
            }
        }
    }

    let root: String
    let nodes: Int
    var environment: [String: String] { CLI.environment.merging(["SLURM_CONF": root + "/etc/slurm.conf"]) { $1 } }

    private init(root: String, nodes: Int) {
        self.root = root
        self.nodes = nodes
    }

    /// `name`: the cluster's directory under the test directory (default slurm-N-node); two
    /// clusters up at once need two names.
    static func start(nodes: Int, name: String? = nil) -> Start {
        let root = CLI.path(name ?? "slurm-\(nodes)-node")
        try? FileManager.default.removeItem(atPath: root)
        let env = CLI.environment.merging(["SLURM_ROOT": root, "SLURM_NODES": String(nodes)]) { $1 }
        let r = run(["bash", repository + "/scripts/slurm-up.sh"], environment: env, timeout: 180)
        switch r.status {
        case 0: return .up(SlurmCluster(root: root, nodes: nodes))
        case 3: return .unavailable(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        default:
            let logs = (try? FileManager.default.contentsOfDirectory(atPath: root + "/log"))?.joined(separator: ", ") ?? "none"
            // Whatever did start must not outlive the failed start.
            _ = run(["bash", repository + "/scripts/slurm-down.sh"], environment: env, timeout: 60)
            return .failed("slurm-up.sh exited \(r.status): \(r.stderr) (logs in \(root)/log: \(logs))")
        }
    }

    func stop() {
        let env = CLI.environment.merging(["SLURM_ROOT": root]) { $1 }
        let r = SlurmCluster.run(["bash", SlurmCluster.repository + "/scripts/slurm-down.sh"], environment: env, timeout: 60)
        if r.status != 0 { print("slurm-down.sh exited \(r.status): \(r.stderr)") }
    }

    /// Submits with sbatch from `directory`; returns the job id.
    func submit(_ arguments: [String], extraEnvironment: [String: String] = [:], directory: String? = nil) throws -> String {
        let r = SlurmCluster.run(["sbatch", "--parsable"] + arguments, environment: environment.merging(extraEnvironment) { $1 },
                                 directory: directory, timeout: 30)
        guard r.status == 0, let id = r.stdout.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }),
              !id.isEmpty else {
            throw SubmitFailed(message: "sbatch \(arguments.joined(separator: " ")) exited \(r.status): \(r.stderr)")
        }
        return id
    }

    /// Polls squeue until the job has left the queue (or `timeout` passes: then it is cancelled and
    /// the test fails), then reads its final JobState and ExitCode from `scontrol show job`.
    func wait(for job: String, timeout: TimeInterval, file: StaticString = #filePath, line: UInt = #line)
        -> (state: String, exitCode: String) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let q = SlurmCluster.run(["squeue", "-h", "-j", job, "-o", "%T"], environment: environment, timeout: 30)
            if q.status == 0 && q.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { break }
            usleep(500_000)
        }
        if Date() >= deadline {
            _ = SlurmCluster.run(["scancel", job], environment: environment, timeout: 30)
            XCTFail("job \(job) still queued or running after \(Int(timeout)) s; cancelled", file: file, line: line)
        }
        let show = SlurmCluster.run(["scontrol", "show", "job", job], environment: environment, timeout: 30).stdout
        func field(_ name: String) -> String {
            guard let range = show.range(of: #"\b\#(name)=(\S+)"#, options: .regularExpression) else { return "?" }
            return String(show[range].dropFirst(name.count + 1))
        }
        return (field("JobState"), field("ExitCode"))
    }

    /// The log sbatch wrote to its `--output` `pattern` (%j the job id), or a note naming the missing file.
    static func log(_ pattern: String, job: String) -> String {
        let path = pattern.replacingOccurrences(of: "%j", with: job)
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? "(no log at \(path))"
    }

    /// Runs a client command (srun, squeue, ...) against this cluster.
    func client(_ argv: [String], timeout: TimeInterval = 60) -> Result {
        SlurmCluster.run(argv, environment: environment, timeout: timeout)
    }

    /// Runs `argv` (looked up on PATH) with output in files, so no pipe can fill; kills it after
    /// `timeout`. posix_spawn and waitpid rather than Foundation.Process: slurm-up.sh leaves daemons
    /// behind, and Process.waitUntilExit then never returned after the script itself had exited.
    static func run(_ argv: [String], environment: [String: String], directory: String? = nil,
                    timeout: TimeInterval) -> Result {
        let base = NSTemporaryDirectory() + "latentsim-slurm-\(getpid())-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        // The shell changes directory and redirects; the command's words arrive as "$@", unquoted by nobody.
        let script = (directory.map { "cd '\($0)' && " } ?? "") + "exec \"$@\" >'\(base).out' 2>'\(base).err' </dev/null"
        let words = ["/bin/sh", "-c", script, "sh"] + argv
        let env = environment.map { "\($0)=\($1)" }
        var pid: pid_t = 0
        let spawned = withCStrings(words) { cargv in
            withCStrings(env) { cenv in posix_spawn(&pid, "/bin/sh", nil, nil, cargv, cenv) }
        }
        guard spawned == 0 else { return Result(status: -1, stdout: "", stderr: "\(argv[0]) did not start: errno \(spawned)") }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() >= deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(20_000)
        }
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let text = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return Result(status: code, stdout: text(base + ".out"), stderr: text(base + ".err"))
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers = strings.map { strdup($0) } + [nil]
        defer { for p in pointers { free(p) } }
        return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}
