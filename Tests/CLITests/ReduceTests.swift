import Comm
import EventStore
import Foundation
import XCTest
@testable import Support

/// `latentsim reduce`: data-parallel equivalence, determinism, resume and signals, run as the built
/// binary alone and under mpirun.
final class ReduceTests: XCTestCase {
    static let columns = "mu1_E,mu1_px,mu1_py,mu1_pz,mu2_E,mu2_px,mu2_pz"
    static var data: String = {
        let path = CLI.path("reduce-dy.h5")
        CLI.fixture(["simulate", "--events", "4000", "--seed", "5", "--out", path])
        return path
    }()

    func reduce(_ out: String, ranks: Int = 0, _ extra: [String] = []) throws -> CLI.Outcome {
        try CLI.run(["reduce", "--data", ReduceTests.data, "--columns", ReduceTests.columns, "--latent", "3",
                     "--widths", "16,8", "--batch", "64", "--seed", "3", "--lr", "0.003", "--out", CLI.path(out)] + extra,
                    ranks: ranks)
    }

    func model(_ out: String) throws -> Checkpoint { try Checkpoint.read(from: CLI.path(out) + "/model.h5") }

    func testTwoAndThreeRanksMatchOneRankAfterTwentySteps() throws {
        var parameters: [[Float]] = []
        for ranks in [0, 2, 3] {
            let r = try reduce("dp-np\(ranks)", ranks: ranks, ["--steps", "20"])
            XCTAssertEqual(r.status, 0, r.stderr)
            parameters.append(try model("dp-np\(ranks)").buffer("parameters"))
        }
        func relative(_ a: [Float], _ b: [Float]) -> Double {
            let diff = zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
            return (diff / a.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot()
        }
        XCTAssertLessThanOrEqual(relative(parameters[0], parameters[1]), 1e-5)
        XCTAssertLessThanOrEqual(relative(parameters[0], parameters[2]), 1e-5)
        // Training moved the weights: an untrained run differs by far more than the tolerance.
        XCTAssertEqual(try reduce("dp-1step", ["--steps", "1"]).status, 0)
        XCTAssertGreaterThan(relative(parameters[0], try model("dp-1step").buffer("parameters")), 1e-3)
    }

    func testSameSeedAndRankCountGiveBitwiseIdenticalCheckpoints() throws {
        for name in ["bit-a", "bit-b"] { XCTAssertEqual(try reduce(name, ranks: 2, ["--steps", "15"]).status, 0) }
        let a = try model("bit-a"), b = try model("bit-b")
        XCTAssertTrue(try a.buffer("parameters").map(\.bitPattern) == b.buffer("parameters").map(\.bitPattern))
        XCTAssertTrue(try a.buffer("optimizer_state").map(\.bitPattern) == b.buffer("optimizer_state").map(\.bitPattern))
        XCTAssertEqual(try a.int("step"), 15)
    }

    func testResumeEndsBitwiseIdenticalToAnUninterruptedRun() throws {
        XCTAssertEqual(try reduce("full", ranks: 2, ["--steps", "40", "--checkpoint-every", "10"]).status, 0)
        XCTAssertEqual(try reduce("part", ranks: 2, ["--steps", "25", "--checkpoint-every", "10"]).status, 0)
        let resumed = try reduce("part", ranks: 2, ["--steps", "40", "--checkpoint-every", "10", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(try model("full").buffer("parameters").map(\.bitPattern)
                      == model("part").buffer("parameters").map(\.bitPattern), "resumed weights differ")
        let history = try String(contentsOfFile: CLI.path("part") + "/history.jsonl", encoding: .utf8)
        XCTAssertEqual(history.split(separator: "\n").count, 40)
    }

    func testSIGTERMCheckpointsAndExitsResumable() throws {
        let out = CLI.path("signal")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["reduce", "--data", ReduceTests.data, "--columns", ReduceTests.columns, "--latent", "3",
                             "--widths", "16,8", "--batch", "64", "--seed", "3", "--lr", "0.003", "--epochs", "100000",
                             "--checkpoint-every", "100000", "--out", out]
        process.environment = CLI.environment
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, ((try? String(contentsOfFile: out + "/history.jsonl", encoding: .utf8)) ?? "").count < 200 {
            usleep(50_000)
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 75, stderr)
        let step = try Checkpoint.read(from: out + "/model.h5").int("step")
        XCTAssertEqual(stderr, "stopped: a signal arrived; finished step \(step), wrote checkpoint \(out)/model.h5; "
                       + "rerun with --resume to continue\n")
        // Resuming to a fixed step count gives the same weights as never stopping.
        let target = String(step + 7)
        XCTAssertEqual(try reduce("signal", ["--steps", target, "--resume", "--epochs", "100000"]).status, 0)
        XCTAssertEqual(try reduce("nosignal", ["--steps", target, "--epochs", "100000"]).status, 0)
        XCTAssertTrue(try model("signal").buffer("parameters").map(\.bitPattern)
                      == model("nosignal").buffer("parameters").map(\.bitPattern), "resumed weights differ")
    }

    /// Slurm's warning signal reaches mpirun, which forwards it to every rank: all ranks stop after
    /// the same step, rank 0 writes the checkpoint, and the job exits resumable.
    func testSIGUSR1ToMpirunStopsEveryRankAtTheSameStep() throws {
        let out = CLI.path("usr1")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mpirun")
        process.arguments = ["-q", "-np", "2", "--oversubscribe", CLI.binary, "reduce", "--data", ReduceTests.data,
                             "--columns", ReduceTests.columns, "--latent", "3", "--widths", "16,8", "--batch", "64",
                             "--seed", "3", "--epochs", "100000", "--checkpoint-every", "100000", "--out", out]
        process.environment = CLI.environment
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, ((try? String(contentsOfFile: out + "/history.jsonl", encoding: .utf8)) ?? "").count < 200 {
            usleep(50_000)
        }
        kill(process.processIdentifier, SIGUSR1)
        let stop = Date().addingTimeInterval(60)
        while process.isRunning && Date() < stop { usleep(50_000) }
        if process.isRunning { process.terminate(); XCTFail("mpirun did not stop after SIGUSR1") }
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 75, stderr)
        let step = try Checkpoint.read(from: out + "/model.h5").int("step")
        XCTAssertEqual(stderr.split(separator: "\n").map(String.init),
                       ["stopped: a signal arrived; finished step \(step), wrote checkpoint \(out)/model.h5; rerun with --resume to continue"])
    }

    func testPCAWritesReportAndLatentTable() throws {
        let r = try CLI.run(["reduce", "--method", "pca", "--data", ReduceTests.data, "--columns", ReduceTests.columns,
                             "--latent", "4", "--out", CLI.path("pca")], ranks: 2)
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: CLI.path("pca") + "/reconstruction.json")))
        let object = try XCTUnwrap(json as? [String: Any])
        XCTAssertEqual(object["method"] as? String, "pca")
        XCTAssertEqual(object["latent"] as? Int, 4)
        XCTAssertEqual((object["ks"] as? [String: Double])?.keys.sorted(), ReduceTests.columns.split(separator: ",").map(String.init).sorted())
        let latent = try EventReader.read(path: CLI.path("pca") + "/latent.h5", comm: try Communicator.world())
        XCTAssertEqual(latent.table.columns, ["z0", "z1", "z2", "z3"])
        XCTAssertEqual(latent.totalRows, 4000)
    }

    func testNonFiniteLossStopsAndNamesTheLastGoodCheckpoint() throws {
        let r = try reduce("diverge", ranks: 2, ["--lr", "1e30", "--optimizer", "sgd", "--checkpoint-every", "1"])
        XCTAssertEqual(r.status, 70, r.stderr)
        let out = CLI.path("diverge")
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        let line = try XCTUnwrap(r.errorLines.last)
        let pattern = #"^error: training stopped at step (\d+): the loss is (nan|inf); the last good checkpoint is "#
            + NSRegularExpression.escapedPattern(for: out) + #"/model.h5 \(step (\d+)\); lower the learning rate or check the input$"#
        let match = try NSRegularExpression(pattern: pattern).firstMatch(in: line, range: NSRange(line.startIndex..., in: line))
        let groups = try XCTUnwrap(match, line)
        let stopped = Int((line as NSString).substring(with: groups.range(at: 1)))!
        let good = Int((line as NSString).substring(with: groups.range(at: 3)))!
        XCTAssertEqual(good, stopped - 1)
        XCTAssertEqual(try model("diverge").int("step"), Int64(good))
        XCTAssertTrue(try model("diverge").buffer("parameters").allSatisfy(\.isFinite))
    }

    func expectFailure(_ extra: [String], _ message: String, ranks: Int = 0, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try CLI.run(["reduce", "--data", ReduceTests.data, "--out", CLI.path("bad")] + extra, ranks: ranks)
        XCTAssertEqual(r.status, 64, r.stderr, file: file, line: line)
        XCTAssertEqual(r.errorLines, ["error: " + message], file: file, line: line)
    }

    func testBadInput() throws {
        let available = "mu1_E, mu1_px, mu1_py, mu1_pz, mu2_E, mu2_px, mu2_py, mu2_pz, nvtx, met_px, met_py, mu1_iso, "
            + "mu2_iso, jet1_pt, jet2_pt, jet3_pt, jet4_pt, jet5_pt"
        try expectFailure(["--columns", "mu1_E,mu1_pt"], "column 'mu1_pt' is not in '\(ReduceTests.data)'; available: \(available)",
                          ranks: 2)
        try expectFailure(["--columns", "mu1_E,mu1_px,mu1_pz", "--latent", "3"],
                          "latent = 3 must be smaller than the number of features (3: mu1_E, mu1_px, mu1_pz); choose n < 3",
                          ranks: 3)
        try expectFailure(["--columns", "mu1_E,mu1_px", "--latent", "1", "--widths", ","],
                          "widths is empty; give the encoder's hidden widths, e.g. --widths 512,128,64,8")
        try expectFailure(["--columns", "mu1_E,mu1_px", "--latent", "1", "--widths", "16,0"], "widths must all be positive, found 0 in 16,0")
        try expectFailure(["--columns", "mu1_E,mu1_px", "--latent", "1", "--lr", "0"], "lr (learning rate) must be positive, found 0.0")
        try expectFailure(["--columns", "mu1_E,mu1_px", "--latent", "1", "--lr=-0.1"], "lr (learning rate) must be positive, found -0.1",
                          ranks: 2)
    }
}

/// `reduce --threads 2`: two in-process workers train exactly like two ranks of one worker.
final class ReduceWorkerTests: XCTestCase {
    func reduce(_ out: String, ranks: Int = 0, _ extra: [String]) throws -> CLI.Outcome {
        try CLI.run(["reduce", "--data", ReduceTests.data, "--columns", ReduceTests.columns, "--latent", "3",
                     "--widths", "16,8", "--batch", "64", "--seed", "3", "--lr", "0.003", "--steps", "20",
                     "--out", CLI.path(out)] + extra, ranks: ranks)
    }

    func parameters(_ out: String) throws -> [Float] {
        try Checkpoint.read(from: CLI.path(out) + "/model.h5").buffer("parameters")
    }

    func testTwoWorkersEqualTwoRanksBitwiseAndOneWorkerClosely() throws {
        XCTAssertEqual(try reduce("w2-first", ["--threads", "2"]).status, 0)
        for (name, ranks, extra) in [("w2", 0, ["--threads", "2"]), ("r2", 2, []), ("w1", 0, [])] {
            let r = try reduce(name, ranks: ranks, extra)
            XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
        }
        let workers = try parameters("w2"), ranks = try parameters("r2"), serial = try parameters("w1")
        XCTAssertEqual(workers.map(\.bitPattern), ranks.map(\.bitPattern), "T = 2 differs from np = 2")
        let a = try Checkpoint.read(from: CLI.path("w2") + "/model.h5"), b = try Checkpoint.read(from: CLI.path("r2") + "/model.h5")
        XCTAssertEqual(try a.buffer("optimizer_state").map(\.bitPattern), try b.buffer("optimizer_state").map(\.bitPattern))
        let diff = zip(workers, serial).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        let norm = serial.reduce(0.0) { $0 + Double($1) * Double($1) }
        XCTAssertLessThanOrEqual((diff / norm).squareRoot(), 1e-5)
        // The same seed twice with workers: every stored training buffer bit for bit (the files'
        // bytes differ anyway: HDF5 records object modification times in the checkpoint).
        let again = try Checkpoint.read(from: CLI.path("w2-first") + "/model.h5")
        XCTAssertEqual(try again.buffer("parameters").map(\.bitPattern), workers.map(\.bitPattern))
        XCTAssertEqual(try again.buffer("optimizer_state").map(\.bitPattern), try a.buffer("optimizer_state").map(\.bitPattern))
        XCTAssertEqual(try again.int("optimizer_steps"), try a.int("optimizer_steps"))
        XCTAssertEqual(try again.int("step"), 20)
    }

    func testZeroThreadsIsRejected() throws {
        let r = try reduce("w0", ["--threads", "0"])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("threads must be at least 1, found 0"), r.stderr)
    }
}
