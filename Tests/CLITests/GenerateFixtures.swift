import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

/// Trained model directories for the generate tests: a tiny latent-space ensemble on the
/// EnsembleTests reducer and a tiny full-space one, each with one restart (their RUN/best).
enum GenerateFixtures {
    static var latent: String = best("gen-ens-latent", ["--reducer", EnsembleTests.reducer])
    static var full: String = best("gen-ens-full", ["--space", "full", "--columns", EnsembleTests.columns])

    private static func best(_ name: String, _ extra: [String]) -> String {
        let run = CLI.path(name)
        CLI.fixture(["ensemble", "--config", EnsembleTests.job, "--data", EnsembleTests.data, "--restarts", "1",
                          "--out", run] + extra)
        return run + "/best"
    }

    static func generate(_ out: String, model: String = latent, events: Int = 10_000, shard: Int = 3000, ranks: Int = 0,
                         _ extra: [String] = []) throws -> CLI.Outcome {
        try CLI.run(["generate", "--model", model, "--events=\(events)", "--shard-events=\(shard)",
                     "--out", CLI.path(out)] + extra, ranks: ranks)
    }

    static func read(_ path: String) throws -> EventTable {
        try EventReader.read(path: path, comm: try Communicator.world()).table
    }

    static func manifest(_ out: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: CLI.path(out) + "/manifest.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func shardFiles(_ out: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: CLI.path(out)).filter { $0.hasPrefix("shard-") }.sorted()
    }

    /// The shards' rows stacked in order (the table the master must show).
    static func concatenated(_ out: String) throws -> EventTable {
        let files = try shardFiles(out)
        var table = try read(CLI.path(out) + "/" + files[0])
        for file in files.dropFirst() { table.append(try read(CLI.path(out) + "/" + file)) }
        return table
    }

    static var hasH5py: Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import h5py"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Runs python3 in `directory` and returns its stdout (status checked).
    static func python(_ script: String, in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let error = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, error)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Inverts one byte in the middle of the file (a corrupted shard).
    static func flipByte(_ path: String) throws {
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        let byte = try XCTUnwrap(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data([byte ^ 0xFF]))
        try handle.close()
    }
}
