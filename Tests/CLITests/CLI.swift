import Foundation
import XCTest
@testable import Support

/// Runs the built `latentsim` binary, alone or under `mpirun`, with a hard timeout so a hang fails
/// the test instead of stalling CI.
enum CLI {
    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
        /// stderr without mpirun's own banner lines.
        var errorLines: [String] { stderr.split(separator: "\n").map(String.init).filter { !$0.isEmpty } }
    }

    static var binary: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments.first { $0.hasSuffix(".xctest") } ?? CommandLine.arguments[0])
        return bundle.deletingLastPathComponent().appendingPathComponent("latentsim").path
    }

    /// This process's scratch directory, emptied first: a leftover of an earlier run whose process
    /// had the same PID made reruns find outputs they did not write (a refused ensemble run found an
    /// earlier config.toml in its --out and failed with "different configuration").
    static var scratch: String = {
        let dir = NSTemporaryDirectory() + "latentsim-cli-\(getpid())"
        if FileManager.default.fileExists(atPath: dir) {
            do { try FileManager.default.removeItem(atPath: dir) } catch { fatalError("cannot empty the scratch directory \(dir): \(error)") }
        }
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            fatalError("cannot create the scratch directory \(dir): \(error)")
        }
        return dir
    }()

    /// A setup step shared by a test class (a simulated table, a trained reducer): it must succeed,
    /// and when it does not the whole run stops here with the step's own error, instead of every
    /// test that uses the fixture failing later on a missing file.
    @discardableResult
    static func fixture(_ arguments: [String], ranks: Int = 0, timeout: TimeInterval = 180) -> Outcome {
        let command = "latentsim " + arguments.joined(separator: " ")
        do {
            let outcome = try run(arguments, ranks: ranks, timeout: timeout)
            guard outcome.status == 0 else {
                fatalError("fixture `\(command)` failed with exit code \(outcome.status):\n\(outcome.stderr)")
            }
            return outcome
        } catch {
            fatalError("fixture `\(command)` could not run: \(error)")
        }
    }

    /// A fixture file written once for a test class; failing to write it stops the run.
    static func fixture(text: String, to path: String) -> String {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            fatalError("cannot write the fixture \(path): \(error)")
        }
        return path
    }

    /// Environment for children: without the MPI variables this test process picked up from its own
    /// MPI_Init (a child mpirun started with them exits silently), with the root override if root.
    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { key, _ in
            !(key.hasPrefix("OMPI_") || key.hasPrefix("PMIX_") || key.hasPrefix("OPAL_") || key.hasPrefix("PRTE_"))
        }
        if getuid() == 0 {
            env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
            env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        }
        env["OPENBLAS_NUM_THREADS"] = "1"
        return env
    }

    /// `ranks == 0`: run the binary directly; otherwise `mpirun -q -np ranks --oversubscribe`.
    /// `extraEnvironment` is added to the child's environment (mpirun passes it on to the ranks).
    static func run(_ arguments: [String], ranks: Int = 0, timeout: TimeInterval = 180,
                    extraEnvironment: [String: String] = [:],
                    file: StaticString = #filePath, line: UInt = #line) throws -> Outcome {
        let process = Process()
        if ranks > 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/mpirun")
            process.arguments = ["-q", "-np", String(ranks), "--oversubscribe", binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        }
        return try outcome(of: process, label: "latentsim \(arguments.joined(separator: " ")) (np \(ranks))", timeout: timeout,
                           environment: environment.merging(extraEnvironment) { $1 }, file: file, line: line)
    }

    /// Another program (found on PATH, e.g. python3 or a tool of this repository) in the scratch
    /// directory with the same environment and timeout.
    static func program(_ name: String, _ arguments: [String], timeout: TimeInterval = 180,
                        file: StaticString = #filePath, line: UInt = #line) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [name] + arguments
        return try outcome(of: process, label: "\(name) \(arguments.joined(separator: " "))", timeout: timeout,
                           environment: environment, file: file, line: line)
    }

    private static func outcome(of process: Process, label: String, timeout: TimeInterval, environment: [String: String],
                                file: StaticString, line: UInt) throws -> Outcome {
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: scratch)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drain both pipes concurrently so a chatty child cannot block on a full pipe.
        final class Sink: @unchecked Sendable { var data = Data() }
        let outSink = Sink(), errSink = Sink()
        let group = DispatchGroup()
        group.enter(); DispatchQueue.global().async { outSink.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter(); DispatchQueue.global().async { errSink.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            XCTFail("\(label) did not finish within \(Int(timeout)) s", file: file, line: line)
        }
        process.waitUntilExit()
        group.wait()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: outSink.data, as: UTF8.self),
                       stderr: String(decoding: errSink.data, as: UTF8.self))
    }

    static func path(_ name: String) -> String { scratch + "/" + name }
}
