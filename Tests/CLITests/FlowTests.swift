import EventStore
import Foundation
import XCTest
@testable import Support

/// `model = "flow"` (conditional flow matching) through the same machinery as the GAN and the VAE,
/// as the built binary: ensemble and selection in latent and full space, the snapshot's sampler kind,
/// generation independent of the rank count, verify, stop and resume, and bad configuration.
/// (np 1/2/3 and 2-worker agreement: `GANRanksTests.testFlowOnOneTwoThreeRanksAndTwoWorkers`.)
final class FlowTests: XCTestCase {
    /// A small velocity network and few ODE steps on the EnsembleTests table.
    static var job: String = {
        CLI.fixture(text: """
        [ensemble]
        model = "flow"
        flow_widths = [32, 32]
        flow_steps = 4
        batch = 64
        steps = 40
        snapshot_every = 10
        validation_events = 600
        optimizer = "adam"
        lr = 1e-3
        top_k = 2
        """, to: CLI.path("flow-job.toml"))
    }()

    func ensemble(_ out: String, ranks: Int = 2, job: String = FlowTests.job, _ extra: [String],
                  stopAt hook: String? = nil) throws -> CLI.Outcome {
        try CLI.run(["ensemble", "--config", job, "--data", EnsembleTests.data, "--out", out] + extra, ranks: ranks,
                    extraEnvironment: hook.map { ["LATENTSIM_TEST_STOP": $0] } ?? [:])
    }

    func sha(_ path: String) throws -> String { try SHA256.hex(files: [CLI.path(path)]) }

    /// Latent and full space: the selected snapshot says how it samples (and a GAN snapshot does
    /// not), generate gives the same events on 1 and 2 ranks, verify accepts them.
    func testFlowEnsembleSnapshotGenerateAndVerifyInLatentAndFullSpace() throws {
        let spaces = [("latent", ["--reducer", EnsembleTests.reducer], 6), ("full", ["--space", "full", "--columns", EnsembleTests.columns], 17)]
        for (space, extra, width) in spaces {
            let run = CLI.path("flow-\(space)")
            let r = try ensemble(run, ["--restarts", "2", "--steps", "20"] + extra)
            XCTAssertEqual(r.status, 0, "\(space): \(r.stderr)")
            let snapshot = try Checkpoint.read(from: run + "/best/generator.h5")
            XCTAssertEqual(try snapshot.string("model"), "flow")
            XCTAssertEqual(try snapshot.string("sampling"), "flow")
            XCTAssertEqual(try snapshot.int("flow_steps"), 4)
            XCTAssertEqual(try snapshot.string("flow_integrator"), "midpoint")
            XCTAssertEqual(try snapshot.string("flow_time"), "t,sin(pi t),cos(pi t),sin(2 pi t),cos(2 pi t)")
            XCTAssertEqual(try snapshot.int("noise"), Int64(width), "\(space): x₀ is as wide as a row")
            XCTAssertEqual(try snapshot.string("widths"), "[\(width + 5),32,32,\(width)]", space)
            var outputs: [[UInt32]] = []
            for ranks in [0, 2] {
                let out = "flow-\(space)-gen\(ranks)"
                let g = try GenerateFixtures.generate(out, model: run + "/best", events: 2000, shard: 700, ranks: ranks)
                XCTAssertEqual(g.status, 0, "\(space) np \(ranks): \(g.stderr)")
                XCTAssertTrue(g.stdout.contains("\(space) flow"), g.stdout)
                XCTAssertEqual(try CLI.run(["verify", CLI.path(out)]).status, 0, "\(space) np \(ranks)")
                let table = try GenerateFixtures.concatenated(out)
                XCTAssertEqual(table.rows, 2000)
                XCTAssertTrue(table.values.allSatisfy(\.isFinite), space)
                outputs.append(table.values.map(\.bitPattern))
            }
            XCTAssertEqual(outputs[0], outputs[1], "\(space): events on 1 and 2 ranks")
        }
        let gan = try Checkpoint.read(from: GenerateFixtures.latent + "/generator.h5")
        XCTAssertNil(gan.attributes["sampling"], "one-pass snapshots are written as before flows")
    }

    /// Stopped after 7 steps and rerun: the same snapshots, states and selection as an uninterrupted run
    /// (the velocity network, its Adam state and its weight average all resume).
    func testFlowEnsembleStoppedAndRerunEndsWithTheSameFiles() throws {
        let extra = ["--reducer", EnsembleTests.reducer, "--restarts", "2", "--steps", "20"]
        XCTAssertEqual(try ensemble("flow-res", extra).status, 0)
        try? FileManager.default.removeItem(atPath: CLI.path("flow-res-ref"))
        try FileManager.default.moveItem(atPath: CLI.path("flow-res"), toPath: CLI.path("flow-res-ref"))
        let stopped = try ensemble("flow-res", extra, stopAt: "ensemble:7")
        XCTAssertEqual(stopped.status, 75, stopped.stderr)
        let rerun = try ensemble("flow-res", extra)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertNotNil(rerun.stdout.range(of: "resuming restart [01] from step 8", options: .regularExpression), rerun.stdout)
        for name in ["best/generator.h5", "leaderboard.json", "restarts/000/state.h5", "restarts/001/state.h5"] {
            XCTAssertEqual(try sha("flow-res/" + name), try sha("flow-res-ref/" + name), name)
        }
    }

    /// Bad flow settings stop before anything is written, with one line and exit 64; a damaged flow
    /// snapshot stops generate with one line and exit 65.
    func testBadFlowSettingsAndDamagedSnapshot() throws {
        let cases = [("flow_steps = 0", "error: flow_steps must be at least 1, found 0; the sampler integrates its ODE in that many "
                      + "steps (16 with midpoint is the default)"),
                     ("flow_integrator = \"rk4\"", "error: unknown flow_integrator 'rk4'; expected one of: midpoint, heun, euler"),
                     ("flow_widths = [32, 0]", "error: flow_widths must all be positive, found 32,0")]
        for (i, (line, message)) in cases.enumerated() {
            let job = CLI.fixture(text: "[ensemble]\nmodel = \"flow\"\n\(line)\n", to: CLI.path("flow-bad\(i).toml"))
            let r = try ensemble(CLI.path("flow-bad\(i)"), ranks: 0, job: job, ["--reducer", EnsembleTests.reducer])
            XCTAssertEqual(r.status, 64, r.stderr)
            XCTAssertEqual(r.errorLines, [message])
            XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("flow-bad\(i)")), "nothing written")
        }
        let run = CLI.path("flow-dmg")
        XCTAssertEqual(try ensemble(run, ranks: 0, ["--reducer", EnsembleTests.reducer, "--restarts", "1", "--steps", "10"]).status, 0)
        var snapshot = try Checkpoint.read(from: run + "/best/generator.h5")
        snapshot.attributes["flow_integrator"] = .string("rk4")
        try snapshot.write(to: run + "/best/generator.h5")
        let g = try GenerateFixtures.generate("flow-dmg-gen", model: run + "/best", events: 100)
        XCTAssertEqual(g.status, 65, g.stderr)
        XCTAssertEqual(g.errorLines, ["error: '\(run)/best/generator.h5': unknown flow_integrator 'rk4', expected one of euler, "
                                      + "midpoint, heun; the snapshot is damaged or from another latentsim version: rerun "
                                      + "`latentsim select RUN`"])
    }

    /// `generate --flow-steps/--flow-integrator`: the snapshot's own values give its bits and manifest;
    /// other ones other events under another model hash (an output of the other is not reused); bad
    /// values and a one-pass generator are refused in one line.
    func testGenerateWithOtherFlowSteps() throws {
        let run = CLI.path("flow-steps")
        XCTAssertEqual(try ensemble(run, ranks: 0, ["--reducer", EnsembleTests.reducer, "--restarts", "1", "--steps", "10"]).status, 0)
        let model = run + "/best"
        var tables: [[UInt32]] = [], hashes: [String] = []
        for (name, extra) in [("own", []), ("four", ["--flow-steps", "4", "--flow-integrator", "midpoint"]), ("eight", ["--flow-steps", "8"])] {
            let g = try GenerateFixtures.generate("flow-steps-\(name)", model: model, events: 1000, shard: 1000, extra)
            XCTAssertEqual(g.status, 0, g.stderr)
            XCTAssertEqual(g.stdout.contains("sampling: 8 midpoint steps per event (16 network passes) instead of the snapshot's own"),
                           name == "eight", g.stdout)
            tables.append(try GenerateFixtures.concatenated("flow-steps-\(name)").values.map(\.bitPattern))
            hashes.append(try XCTUnwrap(try GenerateFixtures.manifest("flow-steps-\(name)")["model"] as? String))
        }
        XCTAssertEqual(tables[1], tables[0], "the snapshot's own steps and integrator: its own events")
        XCTAssertEqual(hashes[1], hashes[0])
        XCTAssertNotEqual(tables[2], tables[0])
        XCTAssertEqual(hashes[2], hashes[0] + "+flow:8:midpoint")
        let reuse = try GenerateFixtures.generate("flow-steps-own", model: model, events: 1000, shard: 1000, ["--flow-steps", "8"])
        XCTAssertEqual(reuse.status, 73, reuse.stderr)
        for (extra, message) in [(["--flow-steps", "0"], "--flow-steps must be a positive number of ODE steps, found 0"),
                                 (["--flow-integrator", "rk4"], "--flow-integrator must be one of: euler, midpoint, heun; found 'rk4'")] {
            let g = try GenerateFixtures.generate("flow-steps-bad", model: model, events: 100, extra)
            XCTAssertEqual(g.status, 64, g.stderr)
            XCTAssertEqual(g.errorLines, ["error: " + message])
        }
        let gan = try GenerateFixtures.generate("flow-steps-gan", model: GenerateFixtures.latent, events: 100, ["--flow-steps", "8"])
        XCTAssertEqual(gan.status, 64, gan.stderr)
        XCTAssertEqual(gan.errorLines, ["error: --flow-steps and --flow-integrator apply to flow models, but "
                                        + "'\(GenerateFixtures.latent)/generator.h5' is a gan generator (one network pass per event); drop them"])
        for name in ["flow-steps-bad", "flow-steps-gan"] { XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path(name)), name) }
    }
}
