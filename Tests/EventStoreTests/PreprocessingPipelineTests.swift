import Comm
import Foundation
import XCTest
@testable import EventStore
@testable import Support

final class PreprocessingPipelineTests: XCTestCase {
    typealias F = PreprocessingFixtures

    func fittedPaperDefault(_ table: EventTable) throws -> Preprocessor {
        var p = Preprocessor.paperDefault(columns: table.columns, integerColumns: ["nvtx"])
        try p.fit(table, comm: nil, seed: 17)
        return p
    }

    func testPaperDefaultRotatesSmearsThenStandardizes() throws {
        let table = F.events(rows: 4000)
        let p = try fittedPaperDefault(table)
        XCTAssertEqual(p.steps.map(\.kind), [.rotateAzimuth, .smearInteger, .standardize])
        XCTAssertEqual(p.inputColumns, F.columns)
        XCTAssertEqual(p.outputColumns, F.columns.filter { $0 != "mu2_py" })
        XCTAssertEqual(p.maximumWidth, F.columns.count)
        let out = try p.forward(table, seed: 17)
        for name in p.outputColumns {
            let y = F.column(out, name)
            XCTAssertEqual(y.reduce(0, +) / Double(y.count), 0, accuracy: 1e-5, name)
        }
        let nvtxMean = F.column(table, "nvtx").reduce(0, +) / Double(table.rows)
        let k = try XCTUnwrap(p.outputColumns.firstIndex(of: "nvtx"))
        XCTAssertEqual(p.steps[2].shift?[k] ?? .nan, nvtxMean + 0.5, accuracy: 0.01, "standardize fitted on smeared nvtx")
        let back = try p.inverse(out, seed: 5)
        XCTAssertEqual(F.column(back, "nvtx"), F.column(table, "nvtx"), "integers survive exactly")
        PreprocessingRotationTests.assertInvariant(table, back)
        XCTAssertEqual(Preprocessor.paperDefault(columns: ["a", "n"], integerColumns: []).steps.map(\.kind), [.standardize])
    }

    func testForwardAndInverseAreIndependentOfTheRowSplit() throws {
        let table = F.events(rows: 500, firstRow: 40)
        let p = try fittedPaperDefault(table)
        let out = try p.forward(table, seed: 9)
        XCTAssertEqual(try F.piecewise(table, [0..<250, 250..<500]) { try p.forward($0, seed: 9) }, out)
        let back = try p.inverse(out, seed: 10)
        XCTAssertEqual(try F.piecewise(out, [0..<13, 13..<500]) { try p.inverse($0, seed: 10) }, back)
    }

    func testCodableRoundTripGivesIdenticalOutputs() throws {
        let table = F.events(rows: 300)
        var p = Preprocessor(steps: [.rotateAzimuth(), .log1p(["jet1_pt", "mu1_iso"]), .smearInteger(["nvtx"], sigma: 0.3),
                                     .minMax(["jet2_pt"]), .standardize(["mu1_E", "nvtx", "mu2_px"])])
        let unfitted = try JSONDecoder().decode(Preprocessor.self, from: JSONEncoder().encode(p))
        XCTAssertEqual(unfitted, p)
        XCTAssertFalse(unfitted.isFitted)
        try p.fit(table, comm: nil, seed: 2)
        let json = try JSONEncoder().encode(p)
        let text = String(decoding: json, as: UTF8.self)
        XCTAssertTrue(text.contains("\"format\":\"latentsim-preprocessor-1\""), text)
        XCTAssertTrue(text.contains("\"kind\":\"standardize\""), text)
        let q = try JSONDecoder().decode(Preprocessor.self, from: json)
        XCTAssertEqual(q, p)
        XCTAssertEqual(q.outputColumns, p.outputColumns)
        let out = try p.forward(table, seed: 3)
        XCTAssertEqual(try q.forward(table, seed: 3), out)
        XCTAssertEqual(try q.inverse(out, seed: 4), try p.inverse(out, seed: 4))
    }

    func testDamagedStoredStateIsRefused() throws {
        var p = Preprocessor(steps: [.standardize(["mu1_E", "nvtx"])])
        try p.fit(F.events(rows: 20), comm: nil)
        let text = String(decoding: try JSONEncoder().encode(p), as: UTF8.self)
        let scale = try XCTUnwrap(text.range(of: "\"scale\":["))
        let damaged = text.replacingCharacters(in: scale, with: "\"scale\":[7,")
        XCTAssertEqual(F.message { _ = try JSONDecoder().decode(Preprocessor.self, from: Data(damaged.utf8)) }?.text,
                       "stored preprocessor preprocessing step 1 (standardize): expected 2 finite shifts and positive "
                       + "scales, found 2 shifts and 3 scales; the model file is damaged, refit the model")
    }

    func testBufferEntryPointsMatchTheTableOnes() throws {
        let table = F.events(rows: 64, firstRow: 128)
        let p = try fittedPaperDefault(table)
        let out = try p.forward(table, seed: 1)
        var buffer = table.values
        try buffer.withUnsafeMutableBufferPointer { try p.forward($0, rows: 64, firstRow: 128, seed: 1) }
        XCTAssertEqual(Array(buffer.prefix(out.values.count)), out.values)
        let back = try p.inverse(out, seed: 2)
        var decoded = [Float](repeating: .nan, count: 64 * p.maximumWidth)
        try out.values.withUnsafeBufferPointer { src in
            try decoded.withUnsafeMutableBufferPointer { try p.inverse(src, into: $0, rows: 64, firstRow: 128, seed: 2) }
        }
        XCTAssertEqual(decoded, back.values)
        try buffer.withUnsafeMutableBufferPointer { try p.inverse(into: $0, rows: 64, firstRow: 128, seed: 2) }
        XCTAssertEqual(buffer, back.values)
    }

    func testWrongColumnsAreRefused() throws {
        let table = F.events(rows: 8)
        let p = try fittedPaperDefault(table)
        let error = F.message { _ = try p.inverse(table, seed: 0) }
        XCTAssertEqual(error?.text.hasPrefix("preprocessing inverse: expected columns mu1_E mu1_px mu1_py mu1_pz mu2_E mu2_px mu2_pz nvtx"), true)
        XCTAssertEqual(error?.text.hasSuffix(", first difference at column 6 ('mu2_pz' expected, 'mu2_py' found); "
                                             + "use a table with the columns the preprocessor was fitted on"), true)
        var renamed = table
        renamed.columns[0] = "mu1_E2"
        XCTAssertEqual(F.message { _ = try p.forward(renamed, seed: 0) }?.code, ExitStatus.dataError)
        var duplicated = table
        duplicated.columns[3] = "mu1_E"
        var q = Preprocessor(steps: [.standardize(["nvtx"])])
        XCTAssertEqual(F.message { try q.fit(duplicated, comm: nil) }?.text,
                       "table columns 0 and 3 are both named 'mu1_E'; expected unique column names; rename one of them")
    }

    /// Under `mpirun -np N` each rank fits on its share; the fitted state must match a local fit of
    /// the whole table and be bitwise the same on every rank. As one process it checks that the
    /// communicator path equals the local one.
    func testFitWithCommunicatorMatchesTheWholeTable() throws {
        let comm = try Communicator.world()
        let table = F.events(rows: 1001)
        let whole = try fittedPaperDefault(table)
        var shared = Preprocessor.paperDefault(columns: table.columns, integerColumns: ["nvtx"])
        try shared.fit(table.slice(comm.share(of: table.rows)), comm: comm, seed: 17)
        XCTAssertEqual(shared.outputColumns, whole.outputColumns)
        let a = try XCTUnwrap(shared.steps[2].shift), b = try XCTUnwrap(whole.steps[2].shift)
        F.assertClose(a, b, relative: 1e-12, "shift")
        F.assertClose(try XCTUnwrap(shared.steps[2].scale), try XCTUnwrap(whole.steps[2].scale), relative: 1e-12, "scale")
        let gathered = try comm.allgather(a + (shared.steps[2].scale ?? []))
        for r in 0..<comm.size { XCTAssertEqual(Array(gathered[(r * 2 * a.count)..<((r + 1) * 2 * a.count)]), a + (shared.steps[2].scale ?? [])) }
        var bad = table
        if comm.rank == comm.size - 1 { bad[table.rows - 1, 8] = 0.5 }
        var failing = Preprocessor(steps: [.smearInteger(["nvtx"])])
        XCTAssertThrowsError(try failing.fit(bad.slice(comm.share(of: table.rows)), comm: comm), "every rank throws")
    }
}
