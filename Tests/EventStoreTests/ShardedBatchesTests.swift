import XCTest
@testable import EventStore
@testable import Support

final class ShardedBatchesTests: XCTestCase {
    /// The union over ranks of each step's rows is the same global batch for 1, 2 and 3 ranks.
    func testGlobalBatchesDoNotDependOnRankCount() {
        let total = 103, batch = 16
        func globalBatches(ranks: Int) -> [[Int]] {
            let plans = (0..<ranks).map { r -> ShardedBatches in
                let base = total / ranks, extra = total % ranks
                let start = r * base + min(r, extra)
                return ShardedBatches(total: total, shard: start..<(start + base + (r < extra ? 1 : 0)), batch: batch, seed: 9)
            }
            var out = [Int32](repeating: -1, count: batch)
            return (0..<20).map { step in
                plans.flatMap { plan in
                    let n = out.withUnsafeMutableBufferPointer { plan.localRows(step: step, into: $0) }
                    return out.prefix(n).map { Int($0) + plan.shard.lowerBound }
                }.sorted()
            }
        }
        let one = globalBatches(ranks: 1)
        XCTAssertEqual(globalBatches(ranks: 2), one)
        XCTAssertEqual(globalBatches(ranks: 3), one)
        XCTAssertTrue(one.allSatisfy { $0.count == batch && Set($0).count == batch })
        // One epoch (6 full batches) visits 96 distinct rows; the next epoch is a different order.
        XCTAssertEqual(Set(one.prefix(6).joined()).count, 96)
        XCTAssertNotEqual(one[0], one[6])
    }
}
