import Foundation
import Support

/// The Python interpreter and the directory holding the report module (python/latentsim_report).
/// LATENTSIM_PYTHON names the interpreter (default: python3 on PATH). The module is looked up
/// upwards from the executable (a build in .build/… of the repository, or PREFIX/share/latentsim/python
/// next to PREFIX/bin) and then in the source tree this binary was built from.
struct ReportPython {
    let interpreter: String
    let modulePath: String

    static let packages = "numpy, h5py, matplotlib and mplhep"

    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ReportPython {
        let name = environment["LATENTSIM_PYTHON"] ?? "python3"
        guard let interpreter = executable(name, path: environment["PATH"] ?? "") else {
            throw ReportUnavailable("the report needs Python 3 with \(packages); '\(name)' was not found on PATH; install "
                                    + "them with `bash scripts/setup.sh` (or set LATENTSIM_PYTHON to an interpreter that has them)")
        }
        guard let module = moduleDirectory() else {
            throw ReportUnavailable("the report module python/latentsim_report was not found above the latentsim executable "
                                    + "or in its source tree; run latentsim from its repository build (.build/…) or copy "
                                    + "python/ to PREFIX/share/latentsim/python")
        }
        return ReportPython(interpreter: interpreter, modulePath: module)
    }

    static func executable(_ name: String, path: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for dir in path.split(separator: ":") {
            let candidate = (String(dir) as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func moduleDirectory() -> String? {
        let fm = FileManager.default
        let binary = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var candidates: [String] = []
        var dir = (binary as NSString).deletingLastPathComponent
        for _ in 0..<6 where dir != "/" && !dir.isEmpty {
            candidates += [(dir as NSString).appendingPathComponent("python"),
                           (dir as NSString).appendingPathComponent("share/latentsim/python")]
            dir = (dir as NSString).deletingLastPathComponent
        }
        // Sources/Evaluation/ReportPython.swift → the repository root.
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(source.appendingPathComponent("python").path)
        return candidates.first { fm.fileExists(atPath: ($0 as NSString).appendingPathComponent("latentsim_report/__init__.py")) }
    }

    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `interpreter arguments` with the module's directory first on PYTHONPATH and waits.
    func run(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = [modulePath, environment["PYTHONPATH"]].compactMap { $0 }.filter { !$0.isEmpty }
            .joined(separator: ":")
        environment["MPLBACKEND"] = "Agg"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw ReportUnavailable("cannot start '\(interpreter)' for the report: \(error.localizedDescription)")
        }
        // Read stderr on another thread while this one reads stdout, so a chatty child cannot block on a full pipe.
        final class Sink: @unchecked Sendable { var data = Data() }
        let errSink = Sink()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errSink.data = err.fileHandleForReading.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errSink.data
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
    }
}
