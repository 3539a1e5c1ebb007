import EventStore
import Foundation
import NN
import XCTest
@testable import Generation
@testable import Support

/// The support guard on the benchmark's synthetic generator (random weights, real preprocessing):
/// with a range that takes every event, the output is bit for bit the unguarded one; with a range
/// cut inside the events' own spread, exactly the rows outside it change, each into an accepted
/// redraw, the counts say so, and the chunk size changes nothing; with a range no event can reach,
/// the run gives up with the one line.
final class SupportGuardTests: XCTestCase {
    let rows = 301..<1_400

    func events(_ model: GeneratorModel) throws -> [Float] {
        var out: [Float] = []
        try model.generate(rows: rows, seed: 7) { values, _ in out += values }
        return out
    }

    func testOnlyRejectedRowsChangeAndTheirRedrawsAreAcceptedAndCounted() throws {
        try XCTSkipUnless(DenseKernel.isAvailable, "the packed kernel is off: rows depend on their batch under OpenBLAS")
        let model = try GeneratorModel.synthetic(.gen17, seed: 3)
        let k = model.width
        let plain = try events(model)
        let table = EventTable(columns: model.columns, rows: rows.count, values: plain)
        // A range wider than every event: nothing is redrawn, every bit stays.
        let wide = try SupportRange.fit(table, comm: nil)
        model.supportGuard = SupportGuard(range: wide, margin: 0)
        XCTAssertEqual(try events(model).map(\.bitPattern), plain.map(\.bitPattern))
        XCTAssertEqual(model.takeGuardCounts(), SupportGuard.Counts(columns: k))
        // The range cut at each column's 2nd and 98th value of 1099: rows outside it are redrawn.
        var low = wide.min, high = wide.max
        for j in 0..<k {
            let sorted = table.column(j).sorted()
            (low[j], high[j]) = (Float(sorted[2]), Float(sorted[sorted.count - 3]))
        }
        let cut = SupportRange(columns: model.columns, min: low, max: high)
        let bounds = cut.bounds(margin: 0.01)
        func outside(_ row: ArraySlice<Float>) -> [Int] {
            (0..<k).filter { j in !(Double(row[row.startIndex + j]) >= bounds.low[j] && Double(row[row.startIndex + j]) <= bounds.high[j]) }
        }
        var expectedRejected = 0, firstDraws = [Int](repeating: 0, count: k)
        for r in 0..<rows.count {
            let bad = outside(plain[(r * k)..<((r + 1) * k)])
            if !bad.isEmpty { expectedRejected += 1 }
            for j in bad { firstDraws[j] += 1 }
        }
        XCTAssertGreaterThan(expectedRejected, 20, "the cut must reject some rows")
        XCTAssertLessThan(expectedRejected, rows.count / 4)
        var guarded: [[Float]] = []
        var counts: [SupportGuard.Counts] = []
        for chunk in [GeneratorModel.defaultChunk, 37] {
            let m = try GeneratorModel.synthetic(.gen17, seed: 3, chunk: chunk)
            m.supportGuard = SupportGuard(range: cut, margin: 0.01)
            guarded.append(try events(m))
            counts.append(m.takeGuardCounts())
        }
        XCTAssertEqual(guarded[1].map(\.bitPattern), guarded[0].map(\.bitPattern), "chunk 37 against 512")
        XCTAssertEqual(counts[1], counts[0])
        let g = guarded[0], c = counts[0]
        var changed = 0
        for r in 0..<rows.count {
            let before = plain[(r * k)..<((r + 1) * k)], after = g[(r * k)..<((r + 1) * k)]
            XCTAssertEqual(outside(after), [], "row \(rows.lowerBound + r) is inside the guard")
            if outside(before).isEmpty {
                XCTAssertEqual(after.map(\.bitPattern), before.map(\.bitPattern), "accepted row \(rows.lowerBound + r) unchanged")
            } else {
                changed += 1
                XCTAssertNotEqual(after.map(\.bitPattern), before.map(\.bitPattern), "rejected row \(rows.lowerBound + r) redrawn")
            }
        }
        XCTAssertEqual(changed, expectedRejected)
        XCTAssertEqual(c.rejectedEvents, expectedRejected)
        XCTAssertGreaterThanOrEqual(c.redraws, expectedRejected)
        // Every rejected draw is counted under each column it left: the first draws' at least, plus the redraws' rejected ones.
        for j in 0..<k { XCTAssertGreaterThanOrEqual(c.byColumn[j], firstDraws[j], model.columns[j]) }
        XCTAssertEqual(c.byColumn.reduce(0, +) >= firstDraws.reduce(0, +) + (c.redraws - c.rejectedEvents), true,
                       "each rejected redraw adds at least one column count")
    }

    func testARangeNoEventReachesGivesUpWithOneLine() throws {
        let model = try GeneratorModel.synthetic(.gen17, seed: 3)
        let k = model.width
        var low = [Float](repeating: -1e9, count: k), high = [Float](repeating: 1e9, count: k)
        (low[0], high[0]) = (1e6, 1e6)
        model.supportGuard = SupportGuard(range: SupportRange(columns: model.columns, min: low, max: high), margin: 0)
        XCTAssertThrowsError(try events(model)) { error in
            XCTAssertEqual((error as? InputError)?.message,
                           "support guard: event 301 was still outside the training range ± 0.0 × its width after 32 redraws "
                           + "(last draw: \(model.columns[0]) outside [1000000.000, 1000000.000]); the model makes mostly "
                           + "out-of-range events: check it, or widen --support-margin, or pass --no-support-guard")
            XCTAssertEqual((error as? InputError)?.exitCode, ExitStatus.dataError)
        }
        XCTAssertEqual(model.takeGuardCounts().redraws, SupportGuard.maxRedraws)
    }
}

/// [generate] of a job file sets the guard for `pipeline`: the default, a margin, off, and both refused.
final class SupportGuardJobTests: XCTestCase {
    func testGenerateTableSetsTheMarginOrSwitchesTheGuardOff() throws {
        let path = NSTemporaryDirectory() + "/support-guard-\(getpid()).toml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        func margin(_ table: String) throws -> Double? {
            try table.write(toFile: path, atomically: true, encoding: .utf8)
            return try GenerateSettings.supportMargin(job: path)
        }
        XCTAssertEqual(try margin("[reduce]\nlatent = 4\n"), SupportGuard.defaultMargin)
        XCTAssertEqual(try margin("[generate]\nsupport_margin = 0.5\n"), 0.5)
        XCTAssertEqual(try margin("[generate]\nsupport_margin = 1\n"), 1.0)
        XCTAssertNil(try margin("[generate]\nsupport_guard = false\n"))
        XCTAssertThrowsError(try margin("[generate]\nsupport_guard = false\nsupport_margin = 0.5\n")) { error in
            XCTAssertEqual((error as? InputError)?.message, "[generate] support_margin in '\(path)' sets the support guard's margin "
                           + "but support_guard = false switches the guard off; drop one of them")
        }
        XCTAssertThrowsError(try margin("[generate]\nsupport_margin = -0.5\n")) { error in
            XCTAssertEqual((error as? InputError)?.message, "[generate] support_margin in '\(path)' must be a fraction ≥ 0 of each "
                           + "column's training range (e.g. 0.25), found -0.5")
        }
    }
}
