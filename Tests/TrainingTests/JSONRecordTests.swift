import EventStore
import Foundation
import Metrics
import TestSupport
import XCTest
@testable import Support
@testable import Training

/// The files written through JSONValue: the same bytes as the string-built text they replace for
/// ordinary names, and valid JSON (read back by Python's json module) for column names holding a
/// quote, a backslash, a tab or non-ASCII, which the old concatenation wrote unescaped.
final class JSONRecordTests: XCTestCase {
    static let names = ["mu\"1", "a\\b", "pT_μ", "tab\there"]

    /// The keys before `losses` keep their bytes and order (`ks_derived`, the KS of the other derived quantities, added
    /// after `ks_columns`: outside the sum); the step losses' means and their step count follow.
    func testSnapshotRecordKeepsItsBytes() {
        var score = SnapshotScore(ks: [("mll", 0.0123456789), ("pT_mu", 0.5)], columns: [("a", 1e-7), ("b", .nan)],
                                  diverged: false, reason: "")
        score.derived = [("ptll", 0.25)]
        var losses = LossAverages(names: ["d_loss", "g_loss", "regression"])
        losses.add(StepLosses(values: [("d_loss", 0.5), ("g_loss", 1.25), ("regression", 0.001)], stopRequested: false))
        losses.add(StepLosses(values: [("d_loss", 0.75), ("g_loss", 1.0), ("regression", 0.0030000001)], stopRequested: false))
        XCTAssertEqual(RestartFiles.record(restart: 2, step: 300, score: score, seconds: 12.3456789, losses: losses),
                       #"{"restart": 2, "step": 300, "ks": {"mll": 0.0123457, "pT_mu": 0.5}, "ks_columns": {"a": 1e-07, "b": null}, "#
                       + #""ks_derived": {"ptll": 0.25}, "#
                       + #""ks_sum": 0.512346, "diverged": false, "reason": "", "seconds": 12.3457, "#
                       + #""losses": {"d_loss": 0.625, "g_loss": 1.125, "regression": 0.002}, "loss_steps": 2}"# + "\n")
        var vae = LossAverages(names: ["reconstruction", "kl"])
        vae.add(StepLosses(values: [("reconstruction", .infinity), ("kl", 0.25)], stopRequested: false))
        XCTAssertTrue(RestartFiles.record(restart: 0, step: 7, score: score, seconds: 1, losses: vae)
            .hasSuffix(#""seconds": 1, "losses": {"reconstruction": null, "kl": 0.25}, "loss_steps": 1}"# + "\n"))
    }

    /// The sums a stop between snapshots saves come back exactly (not rounded to float32), and a
    /// state without them (written before losses were recorded) resumes from zero.
    func testLossSumsSurviveTheStateFile() throws {
        var losses = LossAverages(names: ["d_loss", "g_loss", "regression"])
        losses.add(StepLosses(values: [("d_loss", 0.1), ("g_loss", 1.0 / 3), ("regression", 1e-300)], stopRequested: false))
        losses.add(StepLosses(values: [("d_loss", 0.2), ("g_loss", 2.0 / 3), ("regression", 0)], stopRequested: false))
        let path = NSTemporaryDirectory() + "latentsim-loss-state-\(getpid()).h5"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Checkpoint(attributes: losses.attributes, buffers: ["x": [1]]).write(to: path)
        let read = try LossAverages(names: losses.names, restoring: try Checkpoint.read(from: path), path: path)
        XCTAssertEqual(read, losses)
        XCTAssertEqual(read.sums, [0.1 + 0.2, 1.0 / 3 + 2.0 / 3, 1e-300])
        XCTAssertEqual(read.steps, 2)
        let old = try LossAverages(names: losses.names, restoring: Checkpoint(attributes: ["step": .int(20)]), path: path)
        XCTAssertEqual(old, LossAverages(names: losses.names))
    }

    func testHistoryLineKeepsItsBytes() {
        XCTAssertEqual(History.line([("step", .integer(10)), ("epoch", .integer(1)), ("loss", History.number(0.0123456789)),
                                     ("samples_per_s", History.number(12345.6789)), ("seconds", History.number(1.5)),
                                     ("bad", History.number(.nan))]),
                       #"{"step": 10, "epoch": 1, "loss": 0.012345679, "samples_per_s": 12345.679, "seconds": 1.5, "bad": null}"# + "\n")
    }

    func testRecordsWithAwkwardNamesAreValidJSON() throws {
        let pairs = JSONRecordTests.names.enumerated().map { ($0.element, 0.125 * Double($0.offset + 1)) }
        let score = SnapshotScore(ks: pairs, columns: pairs, diverged: true, reason: "loss \"NaN\"\tat step 3")
        let record = RestartFiles.record(restart: 0, step: 100, score: score, seconds: 1,
                                         losses: LossAverages(names: JSONRecordTests.names))
        let history = History.line(pairs.map { ($0.0, History.number($0.1)) })
        let report = ReconstructionReport(ks: try KSReport(names: JSONRecordTests.names, reference: Array(repeating: [0, 1, 2], count: 4),
                                                           candidate: Array(repeating: [0.5, 1.5, 2.5], count: 4), pValues: false),
                                          meanKS: 1.0 / 3, rows: 3).json(method: .ae, latent: 2)
        let read = try PythonJSON.roundTrip(record + history + report)
        XCTAssertEqual(read.count, 3)
        XCTAssertEqual(read[0], try JSONValue.parse(record))
        XCTAssertEqual(read[0]["ks"]?.members?.map(\.key), JSONRecordTests.names)
        XCTAssertEqual(read[0]["ks_columns"]?.members?.map(\.key), JSONRecordTests.names)
        XCTAssertEqual(read[0]["reason"]?.string, "loss \"NaN\"\tat step 3")
        XCTAssertEqual(read[0]["losses"]?.members?.map(\.key), JSONRecordTests.names)
        XCTAssertEqual(read[1].members?.map(\.key), JSONRecordTests.names)
        XCTAssertEqual(read[1][JSONRecordTests.names[2]]?.double, 0.375)
        XCTAssertEqual(read[2]["ks"]?.members?.map(\.key), JSONRecordTests.names)
        XCTAssertEqual(read[2], try JSONValue.parse(report))
    }

    /// result.json: the text JSONEncoder wrote (sorted names, no spaces, absent optionals left out), UInt64 seeds exact.
    func testResultKeepsJSONEncoderBytes() throws {
        struct Old: Codable {
            var restart: Int, seed: UInt64, steps: Int, finished: Bool, pruned: Bool, pruned_at: Int?, diverged: Bool?, group: Int?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for (seed, prunedAt, diverged, group) in [(UInt64(7), 300 as Int?, nil as Bool?, nil as Int?), (UInt64.max, nil, true, 1)] {
            let result = RestartFiles.Result(restart: 3, seed: seed, steps: 1000, finished: prunedAt == nil, pruned: prunedAt != nil,
                                             pruned_at: prunedAt, diverged: diverged, group: group)
            let old = Old(restart: 3, seed: seed, steps: 1000, finished: prunedAt == nil, pruned: prunedAt != nil, pruned_at: prunedAt,
                          diverged: diverged, group: group)
            XCTAssertEqual(try JSONValue(encoding: result).encoderText, String(decoding: try encoder.encode(old), as: UTF8.self))
            XCTAssertEqual(try JSONValue.decode(RestartFiles.Result.self, from: JSONValue(encoding: result).encoderText), result)
        }
    }
}
