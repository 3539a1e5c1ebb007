import Foundation
import XCTest

/// The commands that draw from SharedCounter (ensemble hand-out, generation's job-wide progress)
/// with the point-to-point counter forced on one node: the same results as with the RMA window.
/// The two-node Slurm test covers the case where the window cannot be made at all.
final class MessageCounterRunTests: XCTestCase {
    let messages = ["LATENTSIM_SHARED_COUNTER": "messages"]

    func testEnsembleHandOutByMessagesGivesTheWindowsLeaderboard() throws {
        let args = ["ensemble", "--config", EnsembleTests.job, "--data", EnsembleTests.data, "--reducer", EnsembleTests.reducer,
                    "--restarts", "3"]
        let window = try CLI.run(args + ["--out", CLI.path("mc-ens-window")], ranks: 2)
        XCTAssertEqual(window.status, 0, window.stderr)
        let byMessages = try CLI.run(args + ["--out", CLI.path("mc-ens-messages")], ranks: 3, extraEnvironment: messages)
        XCTAssertEqual(byMessages.status, 0, byMessages.stderr)
        let board = { (name: String) in try Data(contentsOf: URL(fileURLWithPath: CLI.path(name) + "/leaderboard.json")) }
        XCTAssertEqual(try board("mc-ens-messages"), try board("mc-ens-window"))
        var groups = Set<Int>()
        for i in 0..<3 {
            let result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: CLI.path("mc-ens-messages")
                + String(format: "/restarts/%03d/result.json", i)))) as? [String: Any]
            XCTAssertEqual(result?["finished"] as? Bool, true, "restart \(i)")
            if let group = result?["group"] as? Int { groups.insert(group) }
        }
        XCTAssertGreaterThan(groups.count, 1, "more than one group drew restarts from the counter")
    }

    func testGenerationCountingByMessagesWritesTheSameEvents() throws {
        func generate(_ out: String, ranks: Int, _ env: [String: String]) throws {
            let r = try CLI.run(["generate", "--model", GenerateFixtures.latent, "--events=10000", "--shard-events=3000",
                                 "--out", CLI.path(out)], ranks: ranks, extraEnvironment: env)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        try generate("mc-gen-window", ranks: 1, [:])
        try generate("mc-gen-messages", ranks: 3, messages)
        XCTAssertEqual(try GenerateFixtures.read(CLI.path("mc-gen-messages") + "/events.h5"),
                       try GenerateFixtures.read(CLI.path("mc-gen-window") + "/events.h5"))
    }
}
