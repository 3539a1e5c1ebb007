import Foundation
import XCTest
@testable import Support
import Evaluation

/// `latentsim evaluate` end to end on `simulate` tables: same process ⇒ small KS, different
/// process ⇒ large KS, the JSON agrees with the printed table and does not depend on the rank count.
final class EvaluateTests: XCTestCase {
    /// dy seed 1, dy seed 2 and zh-inv seed 3, 20,000 events each, simulated once for the class.
    static let tables: (real: String, twin: String, zh: String) = {
        let real = CLI.path("eval-dy1.h5"), twin = CLI.path("eval-dy2.h5"), zh = CLI.path("eval-zh.h5")
        for (process, seed, out) in [("dy", "1", real), ("dy", "2", twin), ("zh-inv", "3", zh)] {
            CLI.fixture(["simulate", "--process", process, "--events", "20000", "--seed", seed, "--out", out])
        }
        return (real, twin, zh)
    }()

    /// The built-in DY table's columns, in order.
    static let columns = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz", "nvtx", "met_px", "met_py",
                          "mu1_iso", "mu2_iso", "jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt"]

    func fixtures() throws -> (real: String, twin: String, zh: String) {
        EvaluateTests.tables
    }

    func json(_ path: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    func evaluate(_ arguments: [String], ranks: Int = 0, file: StaticString = #filePath, line: UInt = #line) throws -> CLI.Outcome {
        let r = try CLI.run(["evaluate"] + arguments, ranks: ranks, file: file, line: line)
        XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
        return r
    }

    /// Two samples of the same process: every KS below 0.05 at 20k rows (the 1 % critical value
    /// is 1.63·sqrt(2/20000) ≈ 0.016), and ks_sum_paper = KS(mll) + KS(phi_miss) + KS(mu1_iso).
    func testSameProcessWithAnotherSeedScoresSmall() throws {
        let t = try fixtures(), out = CLI.path("eval-same.json")
        let r = try evaluate(["--real", t.real, "--generated", t.twin, "--out", out])
        let report = try json(out)
        let ks = try XCTUnwrap(report["ks"] as? [String: Double])
        XCTAssertEqual(ks.count, 18 + 6, "18 columns and mll, ptll, met, phi_miss, dphi_ll, njets")
        for (name, value) in ks { XCTAssertLessThan(value, 0.05, name) }
        let paper = try XCTUnwrap(report["ks_sum_paper"] as? Double)
        XCTAssertEqual(paper, try XCTUnwrap(ks["mll"]) + (try XCTUnwrap(ks["phi_miss"])) + (try XCTUnwrap(ks["mu1_iso"])),
                       accuracy: 1e-15)
        XCTAssertEqual(report["rows"] as? [String: Int], ["real": 20000, "generated": 20000])
        XCTAssertTrue(r.stdout.contains(String(format: "ks_sum_paper %.6f", paper)), r.stdout)
        XCTAssertTrue(r.stdout.contains("wrote \(out)"), r.stdout)
        // Held-out AUC of 6000 + 6000 rows under the null has std sqrt(12001 / (12·6000²)) ≈ 0.005.
        // Its bootstrap std (200 stratified resamples of those held-out rows) must be near that value.
        let auc = try XCTUnwrap(report["classifier_auc"] as? Double)
        XCTAssertEqual(auc, 0.5, accuracy: 0.03)
        let std = try XCTUnwrap(report["classifier_auc_std"] as? Double)
        XCTAssertEqual(std, 0.0053, accuracy: 0.002)
        XCTAssertTrue(r.stdout.contains(String(format: "classifier AUC %.4f ± %.4f (held out: 30 %% of 2 × 20000 rows; ± is the "
                                               + "std over 200 bootstrap resamples of them", auc, std)), r.stdout)
        // The report says which test produced the AUC: the default network (3 × 128, at most 40 epochs,
        // patience 6, batch 256, Adam 1e-3, seed 1) on every quantity in mu2's azimuthal frame (so without
        // mu2_py, 0 there) and both muon masses squared, 20000 rows per table split 11000 / 3000 / 6000;
        // training stopped 6 epochs after the kept one.
        let test = try XCTUnwrap(report["classifier"] as? [String: Any])
        XCTAssertEqual(test["inputs"] as? [String], EvaluateTests.columns.filter { $0 != "mu2_py" }
                           + ["mll", "ptll", "met", "phi_miss", "dphi_ll", "njets", "mu1_m2", "mu2_m2"])
        XCTAssertEqual(test["frame"] as? String, "mu2")
        XCTAssertEqual(test["rows"] as? [String: Int], ["train": 11000, "validation": 3000, "test": 6000])
        XCTAssertEqual(test["hidden"] as? [Int], [128, 128, 128])
        XCTAssertEqual(test["batch"] as? Int, 256)
        XCTAssertEqual(test["learning_rate"] as? Double, 0.001)
        XCTAssertEqual(test["max_epochs"] as? Int, 40)
        XCTAssertEqual(test["patience"] as? Int, 6)
        XCTAssertEqual(test["seed"] as? Int, 1)
        XCTAssertEqual(test["bootstrap_resamples"] as? Int, 200)
        let run = try XCTUnwrap(test["epochs_run"] as? Int), kept = try XCTUnwrap(test["epoch_kept"] as? Int)
        XCTAssertEqual(run, kept + 6, "stopped by patience before the 40th epoch")
        XCTAssertGreaterThan(try XCTUnwrap(test["validation_loss"] as? Double), 0.6, "≈ ln 2 = 0.693 for indistinguishable tables")
        XCTAssertTrue(r.stdout.contains("  3 × 128 units on 25 inputs in mu2's azimuthal frame, trained on 2 × 11000 rows; epoch \(kept) kept of \(run) run (at "
                                        + "most 40; stops after 6 without a lower cross-entropy on 2 × 3000 validation rows)"), r.stdout)
        // The same process: each floor (the halves' KS rescaled to 20000 vs 20000) lies below 0.05 too,
        // and the critical value is 1.358102·sqrt(2/20000).
        let floor = try XCTUnwrap(report["floor"] as? [String: Double])
        XCTAssertEqual(Set(floor.keys), Set(ks.keys))
        for (name, value) in floor { XCTAssertLessThan(value, 0.05, name); XCTAssertGreaterThan(value, 0, name) }
        XCTAssertEqual(try XCTUnwrap(report["critical"] as? Double), 0.013581015157406195, accuracy: 1e-15)
    }

    /// Every printed row is a JSON entry, in the same order, with the same values at the printed precision.
    func testTheJSONMatchesThePrintedTable() throws {
        let t = try fixtures(), out = CLI.path("eval-table.json")
        let r = try evaluate(["--real", t.real, "--generated", t.zh, "--out", out])
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let report = try json(out)
        let ks = try XCTUnwrap(report["ks"] as? [String: Double])
        let p = try XCTUnwrap(report["p_values"] as? [String: Double])
        let w1 = try XCTUnwrap(report["wasserstein"] as? [String: Double])
        let floor = try XCTUnwrap(report["floor"] as? [String: Double])
        let critical = try XCTUnwrap(report["critical"] as? Double)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("column ") })
        let rows = lines[(header + 2)...].prefix { !$0.hasPrefix("---") }.map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(rows.count, ks.count)
        XCTAssertEqual(floor.count, ks.count)
        var order: [String.Index] = []
        for cells in rows {
            XCTAssertEqual(cells.count, 7, cells.joined(separator: " "))
            guard cells.count == 7, let d = Double(cells[1]), let pv = Double(cells[2]), let w = Double(cells[3]),
                  let f = Double(cells[4]), let c = Double(cells[5]) else { continue }
            let name = cells[0]
            XCTAssertEqual(try XCTUnwrap(floor[name], name), f, accuracy: 5e-7, name)
            XCTAssertEqual(critical, c, accuracy: 5e-7, name)
            XCTAssertEqual(cells[6], NoiseFloor.marker(ks: try XCTUnwrap(ks[name]), floor: try XCTUnwrap(floor[name])), name)
            XCTAssertEqual(try XCTUnwrap(ks[name], name), d, accuracy: 5e-7, name)
            XCTAssertEqual(try XCTUnwrap(p[name], name), pv, accuracy: 5e-4 * max(pv, 1e-300), name)
            XCTAssertEqual(try XCTUnwrap(w1[name], name), w, accuracy: 5e-4 * w, name)
            if let at = text.range(of: "\"\(name)\": ")?.lowerBound { order.append(at) }
        }
        XCTAssertEqual(order, order.sorted(), "ks keys in table order")
        let met = try XCTUnwrap(ks["met"])
        XCTAssertGreaterThan(met, 0.3, "zh-inv has an invisible Z: its missing pT is far harder than Drell–Yan's")
        XCTAssertGreaterThan(met, 10 * (try XCTUnwrap(floor["met"])), "far above the noise floor")
        XCTAssertTrue(rows.contains { $0.first == "met" && $0.last?.hasSuffix("×") == true }, "met is marked as a multiple of its floor")
        XCTAssertTrue(r.stdout.contains("above critical: mu1_E, "), r.stdout)
        XCTAssertGreaterThan(try XCTUnwrap(report["classifier_auc"] as? Double), 0.7)
        let sum = try XCTUnwrap(lines.first { $0.hasPrefix("sum ") }?.split(separator: " ").last.flatMap { Double($0) })
        XCTAssertEqual(sum, ks.values.reduce(0, +), accuracy: 1e-6)
        let gap = try XCTUnwrap(report["max_correlation_difference"] as? [String: Any])
        let pair = try XCTUnwrap(gap["pair"] as? [String])
        let value = try XCTUnwrap(gap["value"] as? Double)
        XCTAssertTrue(r.stdout.contains(String(format: "max correlation difference %.6f for (%@, %@)", value, pair[0], pair[1])),
                      r.stdout)
    }

    /// Rank 0 evaluates the gathered rows, so 2 and 3 ranks write the single process's bytes; with
    /// --max-rows the same leading rows are used on every rank count.
    func testReportIsByteIdenticalUnderMpirun() throws {
        let t = try fixtures()
        for limit in ["1000000", "7001"] {
            let one = CLI.path("eval-np1-\(limit).json")
            _ = try evaluate(["--real", t.real, "--generated", t.twin, "--max-rows", limit, "--out", one])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: one))
            for ranks in [2, 3] {
                let many = CLI.path("eval-np\(ranks)-\(limit).json")
                let r = try evaluate(["--real", t.real, "--generated", t.twin, "--max-rows", limit, "--out", many], ranks: ranks)
                XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: many)), bytes, "np \(ranks), --max-rows \(limit)")
                XCTAssertEqual(r.stdout.components(separatedBy: "ks_sum_paper").count, 2, "rank 0 alone prints")
            }
            let rows = Int(limit).map { min($0, 20000) }
            XCTAssertEqual(try json(one)["rows"] as? [String: Int], ["real": rows ?? 0, "generated": rows ?? 0])
        }
    }

    /// A directory argument reads GEN/events.h5 and writes GEN/evaluation.json by default.
    func testDirectoryArgumentFindsEventsFile() throws {
        let t = try fixtures(), gen = CLI.path("eval-gen")
        try? FileManager.default.removeItem(atPath: gen)
        try FileManager.default.createDirectory(atPath: gen, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: t.twin, toPath: gen + "/events.h5")
        let r = try evaluate(["--real", t.real, "--generated", gen, "--classifier-rows", "0"])
        XCTAssertTrue(r.stdout.contains("generated  \(gen)/events.h5  20000 rows (of 20000)"), r.stdout)
        let report = try json(gen + "/evaluation.json")
        XCTAssertEqual(report["generated"] as? String, gen + "/events.h5")
        let direct = CLI.path("eval-direct.json")
        _ = try evaluate(["--real", t.real, "--generated", t.twin, "--out", direct, "--classifier-rows", "0"])
        XCTAssertEqual(report["ks"] as? [String: Double], try json(direct)["ks"] as? [String: Double])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: gen).sorted(), ["evaluation.json", "events.h5"])
        // A file argument writes no report unless --out is given.
        let plain = try evaluate(["--real", t.real, "--generated", t.twin, "--classifier-rows", "0"])
        XCTAssertFalse(plain.stdout.contains("wrote "), plain.stdout)
    }

    /// The classifier options reach the test and the report records them: a 1 × 16 network, at most
    /// 2 epochs, patience 1, seed 5, 3000 rows (900 test, 450 validation), without the muon masses
    /// and without mu2's frame (raw px/py, mu2_py among the inputs, "frame": null). The same options give
    /// the same bits; another seed another split and AUC. (Two epochs barely train: the AUC's sign of
    /// departure from 0.5 is the initialisation's; 0.566 here, 0.455 with seed 6, 0.380 in the frame.)
    func testClassifierOptionsAreUsedAndRecorded() throws {
        let t = try fixtures(), out = CLI.path("eval-options.json")
        let options = ["--classifier-rows", "3000", "--classifier-width", "16", "--classifier-depth", "1", "--classifier-epochs", "2",
                       "--classifier-patience", "1", "--no-classifier-muon-masses", "--no-classifier-frame"]
        let r = try evaluate(["--real", t.real, "--generated", t.zh, "--out", out, "--classifier-seed", "5"] + options)
        let report = try json(out)
        let test = try XCTUnwrap(report["classifier"] as? [String: Any])
        XCTAssertEqual(test["inputs"] as? [String], EvaluateTests.columns + ["mll", "ptll", "met", "phi_miss", "dphi_ll", "njets"])
        XCTAssertTrue(test["frame"] is NSNull, "\(test["frame"] ?? "no frame member")")
        XCTAssertEqual(test["rows"] as? [String: Int], ["train": 1650, "validation": 450, "test": 900])
        XCTAssertEqual(test["hidden"] as? [Int], [16])
        XCTAssertEqual(test["max_epochs"] as? Int, 2)
        XCTAssertEqual(test["patience"] as? Int, 1)
        XCTAssertEqual(test["seed"] as? Int, 5)
        XCTAssertLessThanOrEqual(try XCTUnwrap(test["epochs_run"] as? Int), 2)
        XCTAssertTrue(r.stdout.contains("(held out: 30 % of 2 × 3000 rows;"), r.stdout)
        XCTAssertGreaterThan(try XCTUnwrap(report["classifier_auc"] as? Double), 0.53, "DY against ZH: above 0.5 by > 3 std even so")
        let again = CLI.path("eval-options-again.json"), other = CLI.path("eval-options-seed.json")
        _ = try evaluate(["--real", t.real, "--generated", t.zh, "--out", again, "--classifier-seed", "5"] + options)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: again)), try Data(contentsOf: URL(fileURLWithPath: out)))
        _ = try evaluate(["--real", t.real, "--generated", t.zh, "--out", other, "--classifier-seed", "6"] + options)
        XCTAssertNotEqual(try json(other)["classifier_auc"] as? Double, report["classifier_auc"] as? Double)
    }

    /// --columns restricts the columns and so the derived quantities; the missing paper ones are named.
    func testColumnSubsetNamesWhatThePaperScoreLacks() throws {
        let t = try fixtures(), out = CLI.path("eval-subset.json")
        let r = try evaluate(["--real", t.real, "--generated", t.twin, "--columns", "mu2_px,mu1_px,mu1_py,mu2_py", "--out", out])
        let text = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(text.contains(#""ks": {"mu2_px": "#), text)
        XCTAssertEqual((try json(out)["ks"] as? [String: Double]).map { Set($0.keys) },
                       ["mu2_px", "mu1_px", "mu1_py", "mu2_py", "ptll", "dphi_ll"])
        XCTAssertNil(try json(out)["ks_sum_paper"])
        XCTAssertTrue(r.stdout.contains("ks_sum_paper not computed: missing mll (needs mu1_E, mu1_pz, mu2_E, mu2_pz), "
                                        + "phi_miss (needs met_px, met_py), mu1_iso (no such column)"), r.stdout)
    }

    /// `generate` writes GEN/events.h5 as a virtual dataset over shard files, which HDF5's MPI-IO
    /// driver cannot read: built here with h5py (skipped without it), it must evaluate the same as
    /// the plain table under 1 and 2 ranks.
    func testVirtualDatasetMasterUnderTwoRanks() throws {
        let t = try fixtures(), gen = CLI.path("eval-vds")
        try? FileManager.default.removeItem(atPath: gen)
        try FileManager.default.createDirectory(atPath: gen, withIntermediateDirectories: true)
        let script = """
            import sys, h5py, numpy as np
            src, gen = sys.argv[1], sys.argv[2]
            with h5py.File(src) as f:
                events, columns = f["events"][:], f["events"].attrs["columns"]
            bounds = [0, 6000, 13001, len(events)]
            layout = h5py.VirtualLayout(shape=events.shape, dtype=np.float32)
            for i in range(3):
                a, b = bounds[i], bounds[i + 1]
                with h5py.File(f"{gen}/shard-{i:05d}.h5", "w") as s:
                    s.create_dataset("events", data=events[a:b])
                layout[a:b] = h5py.VirtualSource(f"shard-{i:05d}.h5", "events", shape=(b - a, events.shape[1]))
            with h5py.File(f"{gen}/events.h5", "w") as m:
                m.create_virtual_dataset("events", layout, fillvalue=np.nan).attrs["columns"] = columns
            """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script, t.twin, gen]
        python.currentDirectoryURL = URL(fileURLWithPath: gen)
        python.standardError = FileHandle.nullDevice
        do { try python.run() } catch { throw XCTSkip("python3 is not available") }
        python.waitUntilExit()
        guard python.terminationStatus == 0 else { throw XCTSkip("python3 with h5py is not available") }
        let direct = CLI.path("eval-vds-direct.json")
        _ = try evaluate(["--real", t.real, "--generated", t.twin, "--out", direct, "--classifier-rows", "0"])
        let expected = try json(direct)["ks"] as? [String: Double]
        XCTAssertNotNil(expected)
        for ranks in [0, 2] {
            _ = try evaluate(["--real", t.real, "--generated", gen, "--out", CLI.path("eval-vds-\(ranks).json"), "--classifier-rows", "0"],
                             ranks: ranks)
            XCTAssertEqual(try json(CLI.path("eval-vds-\(ranks).json"))["ks"] as? [String: Double], expected, "np \(ranks)")
        }
    }

    func testBadInputStopsWithAPinnedMessageAndCode() throws {
        let t = try fixtures()
        let missing = CLI.path("eval-missing.h5"), empty = CLI.path("eval-empty-gen"), other = CLI.path("eval-other.csv")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try "x,y\n1,2\n3,4\n".write(toFile: other, atomically: true, encoding: .utf8)
        let cases: [([String], Int32, String)] = [
            (["--real", missing, "--generated", t.twin], 66,
             "error: real table '\(missing)' does not exist; pass the real events (HDF5 or CSV file) with --real"),
            (["--real", t.real, "--generated", empty], 66,
             "error: generated directory '\(empty)' has no events.h5 ('\(empty)/events.h5' does not exist); pass the "
                + "directory `latentsim generate` wrote, or the table file itself"),
            (["--real", other, "--generated", t.twin], 65,
             "error: real table '\(other)' (columns x, y) and generated table '\(t.twin)' (columns mu1_E, mu1_px, "
                + "mu1_py, mu1_pz, mu2_E, mu2_px, mu2_py, mu2_pz, nvtx, met_px, met_py, mu1_iso, mu2_iso, jet1_pt, "
                + "jet2_pt, jet3_pt, jet4_pt, jet5_pt) have no column in common; compare tables of the same kind of events"),
            (["--real", t.real, "--generated", t.twin, "--columns", "mu1_E,mu1_eta"], 64,
             "error: --columns names 'mu1_eta', which the real table '\(t.real)' does not have; choose from the columns "
                + "of both tables: mu1_E, mu1_px, mu1_py, mu1_pz, mu2_E, mu2_px, mu2_py, mu2_pz, nvtx, met_px, met_py, "
                + "mu1_iso, mu2_iso, jet1_pt, jet2_pt, jet3_pt, jet4_pt, jet5_pt"),
            (["--real", t.real, "--generated", t.twin, "--max-rows", "0"], 64,
             "error: --max-rows must be a positive number of rows, found 0"),
            (["--real", t.real, "--generated", t.twin, "--classifier-rows=-1"], 64,
             "error: --classifier-rows must be 0 (skip the classifier test) or a positive number of rows, found -1"),
            (["--real", t.real, "--generated", t.twin, "--classifier-width", "0"], 64,
             "error: --classifier-width must be a positive number of units per hidden layer, found 0"),
            (["--real", t.real, "--generated", t.twin, "--classifier-depth", "0"], 64,
             "error: --classifier-depth must be a positive number of hidden layers, found 0"),
            (["--real", t.real, "--generated", t.twin, "--classifier-epochs", "0"], 64,
             "error: --classifier-epochs must be a positive largest number of epochs, found 0"),
            (["--real", t.real, "--generated", t.twin, "--classifier-patience", "0"], 64,
             "error: --classifier-patience must be a positive number of epochs, found 0"),
        ]
        for (arguments, code, message) in cases {
            for ranks in [0, 2] {
                let r = try CLI.run(["evaluate"] + arguments, ranks: ranks)
                XCTAssertEqual(r.status, code, "np \(ranks): " + arguments.joined(separator: " "))
                XCTAssertEqual(r.errorLines, [message], "np \(ranks)")
                XCTAssertEqual(r.stdout, "", "np \(ranks)")
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: empty), [], "nothing written on failure")
    }
}
