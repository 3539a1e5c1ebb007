import XCTest
@testable import Support

/// The Communicator under real launches: as a single process and under mpirun -np 2 and -np 3.
final class CommunicatorTests: XCTestCase {
    func expected(_ n: Int) -> [String] {
        var sums: (Double, Double) = (0, 0)
        for r in 0..<n { sums.0 += Double(r + 1); sums.1 += Double(r) * 0.5 }
        // minloc over (r*7+3) % n: the smallest value and the lowest rank holding it.
        var best = (n, n)
        for r in 0..<n where (r * 7 + 3) % n < best.0 { best = ((r * 7 + 3) % n, r) }
        let evens = (0..<n).filter { $0 % 2 == 0 }
        return [
            "size \(n)",
            "allreduce-sum-float \(Float(sums.0)) \(Float(sums.1))",
            "allreduce-max-double \(Double(n - 1)) allreduce-min-int64 0",
            "broadcast hello from rank \(n - 1)",
            "gather " + (0..<n).map { String($0 * $0) }.joined(separator: " "),
            "minloc \(Double(best.0)) \(best.1)",
            "gatherv " + (0..<n).flatMap { r in [String](repeating: String(r), count: r + 1) }.joined(separator: " "),
            // Rank 0 is in the even group; keys are -rank, so rank 0 is the last of its group.
            "split rank0-group size \(evens.count) sum \(evens.reduce(0, +)) first-key-rank \(evens.count - 1)",
            // One node: Open MPI makes the RMA window (osc/sm), no fallback to messages.
            "counter-kind window",
            // Every rank draws until it holds a value ≥ 100: 0..<100 once each plus one value per rank.
            "counter 0..<\(100 + n) each drawn once",
            "counter-start 7..<\(7 + n) each drawn once",
            "agreed",
        ]
    }

    func testCollectivesOnOneTwoAndThreeRanks() throws {
        for ranks in [0, 2, 3] {
            let r = try CLI.run(["comm-check"], ranks: ranks)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stdout.split(separator: "\n").map(String.init), expected(max(ranks, 1)), "np \(ranks)")
        }
    }

    /// Many draws racing on 2 and 3 ranks (3 oversubscribed on 2 cores, so ranks are descheduled
    /// mid-draw): a lost or doubled increment would show as a gap or duplicate in the gathered draws.
    func testSharedCounterHandsOutEveryValueOnceUnderContention() throws {
        for ranks in [2, 3] {
            let r = try CLI.run(["comm-check", "--counter-draws", "20000"], ranks: ranks)
            XCTAssertEqual(r.status, 0, r.stderr)
            let lines = r.stdout.split(separator: "\n").map(String.init)
            XCTAssertTrue(lines.contains("counter 0..<\(20000 + ranks) each drawn once"), "np \(ranks): \(lines)")
            XCTAssertTrue(lines.contains("counter-start 7..<\(7 + ranks) each drawn once"), "np \(ranks): \(lines)")
        }
    }

    /// The point-to-point counter (forced; one node would otherwise get the window) under the same
    /// contention, with rank 0 drawing from its main thread while its server thread answers the others.
    func testMessageCounterHandsOutEveryValueOnceUnderContention() throws {
        for ranks in [0, 2, 3] {
            let r = try CLI.run(["comm-check", "--counter-draws", "20000"], ranks: ranks,
                                extraEnvironment: ["LATENTSIM_SHARED_COUNTER": "messages"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let n = max(ranks, 1)
            let lines = r.stdout.split(separator: "\n").map(String.init)
            XCTAssertTrue(lines.contains("counter-kind messages"), "np \(ranks): \(lines)")
            XCTAssertTrue(lines.contains("counter 0..<\(20000 + n) each drawn once"), "np \(ranks): \(lines)")
            XCTAssertTrue(lines.contains("counter-start 7..<\(7 + n) each drawn once"), "np \(ranks): \(lines)")
            XCTAssertTrue(lines.contains("agreed"), "np \(ranks): \(lines)")
        }
    }

    func testAnUnknownCounterKindIsAUsageError() throws {
        let r = try CLI.run(["comm-check"], extraEnvironment: ["LATENTSIM_SHARED_COUNTER": "rma"])
        XCTAssertEqual(r.status, 64)
        XCTAssertEqual(r.errorLines, ["error: LATENTSIM_SHARED_COUNTER=rma is not a shared counter kind (window or messages)"])
    }

    func testAnErrorOnOneRankStopsEveryRankWithOneMessage() throws {
        for (ranks, failing) in [(2, 1), (3, 2), (3, 0)] {
            let r = try CLI.run(["comm-check", "--fail-on-rank", String(failing)], ranks: ranks)
            XCTAssertEqual(r.status, 65, "np \(ranks)")
            XCTAssertEqual(r.errorLines, ["error: rank \(failing) failed on purpose"])
            XCTAssertFalse(r.stdout.contains("agreed"))
        }
    }
}
