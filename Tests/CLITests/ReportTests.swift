import Comm
import EventStore
import Foundation
import XCTest
import Workflows
@testable import Support

/// `latentsim report` as a person looks at it: the page rendered by headless Chromium is not blank
/// and every image on it loaded; one histogram's counts are numpy's on the same table; a missing
/// Python package or run directory is one line and its exit code.
final class ReportTests: XCTestCase {
    /// A small run laid out as the pipeline's: RUN/dy.h5 (4,000 dy events), RUN/ensemble (full space,
    /// 2 restarts of 20 steps), RUN/generated (3,000 events of its best snapshot), RUN/evaluation.json
    /// (generated vs the ensemble's held-out rows), RUN/study/augment.json (a fixture with made-up numbers
    /// in the format of `study augment`'s AugmentSummary, nulls included, only so the study figure is
    /// drawn), and RUN/report from `latentsim report`.
    static let run: (dir: String, seconds: Double) = {
        let dir = CLI.path("report-run")
        CLI.fixture(["simulate", "--events", "4000", "--out", dir + "/dy.h5"])
        CLI.fixture(["ensemble", "--data", dir + "/dy.h5", "--space", "full", "--steps", "20", "--snapshot-every", "10",
                     "--restarts", "2", "--batch", "128", "--validation-events", "500", "--out", dir + "/ensemble"])
        CLI.fixture(["generate", "--model", dir + "/ensemble/best", "--events", "3000", "--shard-events", "1500",
                     "--out", dir + "/generated"])
        CLI.fixture(["evaluate", "--real", dir + "/ensemble/heldout.h5", "--generated", dir + "/generated",
                     "--out", dir + "/evaluation.json", "--classifier-rows", "1000"])
        do { try FileManager.default.createDirectory(atPath: dir + "/study", withIntermediateDirectories: true) } catch {
            fatalError("cannot create \(dir)/study: \(error)")
        }
        _ = CLI.fixture(text: """
            {"n_real": [2000, 8000, 32000], "ratios": [0, 1, 4],
             "auc": {"real": [[0.70, 0.02], [0.74, 0.01], [0.76, 0.005]],
                     "real+generated": {"0": [[0.70, 0.02], [0.74, 0.01], [0.76, 0.005]],
                                        "1": [[0.72, 0.02], [0.745, 0.01], [0.76, 0.005]],
                                        "4": [[0.73, 0.02], [0.75, 0.01], [0.758, 0.006]]},
                     "generated": {"0": [null, null, null], "1": [[0.69, 0.03], [0.72, 0.02], [0.73, 0.01]],
                                   "4": [[0.70, 0.03], [0.725, 0.02], [0.735, 0.01]]}},
             "amplification": {"2000": {"0": 1.0, "1": 1.6, "4": 2.3}, "8000": {"0": 1.0, "1": 1.2, "4": 1.5},
                               "32000": {"0": 1.0, "1": 1.0, "4": null}},
             "amplification_outside_grid": {"32000": {"4": "below the smallest N"}},
             "test_rows": 20000, "seeds": 3}
            """, to: dir + "/study/augment.json")
        let clock = Date()
        let r = CLI.fixture(["report", dir], timeout: 300)
        guard r.stdout.contains("wrote \(dir)/report/index.html") else { fatalError("report did not say where it wrote:\n\(r.stdout)") }
        return (dir, Date().timeIntervalSince(clock))
    }()

    /// The interpreter `python3` on PATH resolves to. mpirun started by absolute path (as CLI.run does)
    /// puts its prefix's bin (/usr/bin) first on the ranks' PATH, where another python3 may lack the packages.
    static let python: String = {
        guard let o = try? CLI.program("python3", ["-c", "import sys; print(sys.executable)"]), o.status == 0 else {
            fatalError("python3 is not on PATH: `bash scripts/setup.sh` installs it with the report's packages")
        }
        return o.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// The page with a script appended that, once every image has loaded or failed, lists the broken
    /// ones in a <pre id="image-check"> element; Chromium's --dump-dom prints the DOM after the load event.
    func testPageRendersInChromiumWithEveryImageLoaded() throws {
        let report = ReportTests.run.dir + "/report"
        let chromium = "/usr/bin/chromium"
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: chromium),
                      "headless Chromium is missing: `bash scripts/setup.sh` installs the Debian package chromium")
        let page = try String(contentsOfFile: report + "/index.html", encoding: .utf8)
        let images = page.components(separatedBy: "<img ").count - 1
        // The summary says which classifier test produced the AUC (evaluation.json's `classifier` member).
        let evaluation = try JSONValue.parse(try String(contentsOfFile: ReportTests.run.dir + "/evaluation.json", encoding: .utf8))
        let test = try XCTUnwrap(evaluation["classifier"])
        let kept = try XCTUnwrap(test["epoch_kept"]?.int), held = try XCTUnwrap(test["rows"]?["test"]?.int)
        XCTAssertTrue(page.contains("; 3 × 128 MLP on 25 inputs in mu2's azimuthal frame, epoch \(kept) of at most 40 kept by early stopping, AUC on 2 × \(held) "
                                    + "held-out rows)"), "the page names the classifier test")
        XCTAssertGreaterThanOrEqual(images, 24 + 4, "18 columns + 6 quantities, correlations, training, throughput, study")
        let check = """
            <script>window.addEventListener("load", () => { const all = [...document.images];
            const broken = all.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute("src"));
            const p = document.createElement("pre"); p.id = "image-check";
            p.textContent = "images " + all.length + " broken " + JSON.stringify(broken); document.body.appendChild(p); });</script>
            """
        try page.replacingOccurrences(of: "</body>", with: check + "</body>")
            .write(toFile: report + "/check.html", atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: report + "/check.html") }
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,4000"]
        let dom = try CLI.program(chromium, flags + ["--dump-dom", "file://\(report)/check.html"], timeout: 120)
        XCTAssertEqual(dom.status, 0, dom.stderr)
        XCTAssertTrue(dom.stdout.contains("<pre id=\"image-check\">images \(images) broken []</pre>"),
                      "every image loads: \(dom.stdout.components(separatedBy: "image-check").last ?? "no marker")")
        // The screenshot a person would see: mostly white page, but far from blank.
        let png = CLI.path("report-screenshot.png")
        let shot = try CLI.program(chromium, flags + ["--screenshot=\(png)", "file://\(report)/index.html"], timeout: 120)
        XCTAssertEqual(shot.status, 0, shot.stderr)
        let inked = try CLI.program("python3", ["-c", """
            import sys, matplotlib.image as m, numpy as np
            a = m.imread(sys.argv[1])[..., :3]
            print(a.shape[1], a.shape[0], float((a.min(axis=2) < 0.9).mean()), float(a.std()))
            """, png])
        XCTAssertEqual(inked.status, 0, inked.stderr)
        let f = inked.stdout.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(f.count, 4, inked.stdout)
        XCTAssertEqual(f.first, 1400, "screenshot width")
        XCTAssertGreaterThan(f.count == 4 ? f[2] : 0, 0.05, "share of non-white pixels (a blank page has 0)")
        XCTAssertGreaterThan(f.count == 4 ? f[3] : 0, 0.05, "pixel standard deviation (a blank page has 0)")
    }

    /// mll of the held-out and generated tables, computed here with numpy from the float32 columns,
    /// histogrammed with numpy on 50 bins over the real values' 0.1–99.9 % quantiles: the counts the
    /// report says it drew (histograms.json) are exactly these. jet3_pt, a spike at 0 and a continuum:
    /// the spike's counts apart, 50 bins over the 0.1–99.9 % quantiles of the values off the spike.
    func testMllHistogramCountsAreNumpysOnTheSameTables() throws {
        let dir = ReportTests.run.dir
        let r = try CLI.program("python3", ["-c", """
            import json, sys, h5py, numpy as np
            run = sys.argv[1]
            ev = json.load(open(run + "/evaluation.json"))
            side = json.load(open(run + "/report/histograms.json"))["mll"]
            def mll(path, rows):
                d = h5py.File(path)["events"]; cols = [c.decode() if isinstance(c, bytes) else c for c in d.attrs["columns"]]
                t = d[:rows].astype(np.float64); c = {n: t[:, i] for i, n in enumerate(cols)}
                e = c["mu1_E"] + c["mu2_E"]; p2 = sum((c["mu1_" + k] + c["mu2_" + k]) ** 2 for k in ("px", "py", "pz"))
                return np.sqrt(np.clip(e * e - p2, 0, None))
            real = mll(ev["real"], ev["rows"]["real"]); gen = mll(ev["generated"], ev["rows"]["generated"])
            edges = np.linspace(*np.quantile(real, [0.001, 0.999]), 51)
            assert np.allclose(side["edges"], edges, rtol=0, atol=1e-9), "edges"
            assert side["real"] == np.histogram(real, edges)[0].tolist(), ("real", side["real"], np.histogram(real, edges)[0])
            assert side["generated"] == np.histogram(gen, edges)[0].tolist(), "generated"
            assert side["real_rows"] == ev["rows"]["real"] and side["generated_rows"] == ev["rows"]["generated"], "rows"
            assert "spike" not in side, "mll has no spike"
            # jet3_pt is 0 for ~94 % of the events: counted apart, the bins span the quantiles of the rest.
            def column(path, rows, name):
                d = h5py.File(path)["events"]; cols = [c.decode() if isinstance(c, bytes) else c for c in d.attrs["columns"]]
                return d[:rows, cols.index(name)].astype(np.float64)
            jet = json.load(open(run + "/report/histograms.json"))["jet3_pt"]
            r3 = column(ev["real"], ev["rows"]["real"], "jet3_pt"); g3 = column(ev["generated"], ev["rows"]["generated"], "jet3_pt")
            assert (r3 == 0).mean() > 0.5, ("fixture: jet3_pt mostly 0", (r3 == 0).mean())
            assert jet["spike"] == {"value": 0.0, "real": int((r3 == 0).sum()), "generated": int((g3 == 0).sum())}, jet["spike"]
            rest = r3[r3 != 0]
            edges = np.linspace(*np.quantile(rest, [0.001, 0.999]), 51)
            assert np.allclose(jet["edges"], edges, rtol=0, atol=1e-9), "jet3_pt edges"
            assert jet["real"] == np.histogram(rest, edges)[0].tolist(), "jet3_pt real"
            assert jet["generated"] == np.histogram(g3[g3 != 0], edges)[0].tolist(), "jet3_pt generated"
            assert jet["spike"]["real"] + sum(jet["real"]) <= jet["real_rows"] == len(r3), "jet3_pt rows"
            print("ok", sum(side["real"]), sum(side["generated"]), jet["spike"]["real"], sum(jet["real"]))
            """, dir])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("ok "), r.stdout)
    }

    /// The run's held-out and generated tables under a user's column names (OwnDataTests.renaming),
    /// evaluated with `--roles`, and RUN/ensemble/config.toml ending with the `[roles]` (as a run
    /// trained under roles has it): `report` reads the roles there and draws mll, ptll, met, phi_miss,
    /// dphi_ll and njets with exactly the counts of the original names' report. With a job file
    /// without `[roles]` (`--config`) they are listed as not drawn.
    func testRenamedTableUnderRolesDrawsTheDerivedQuantities() throws {
        let original = ReportTests.run.dir
        let dir = CLI.path("report-renamed")
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/ensemble", withIntermediateDirectories: true)
        let names = Dictionary(uniqueKeysWithValues: OwnDataTests.renaming)
        let comm = try Communicator.selfOnly()
        for (from, to) in [(original + "/ensemble/heldout.h5", dir + "/heldout.h5"), (original + "/generated/events.h5", dir + "/generated.h5")] {
            var table = try EventReader.read(path: from, comm: comm).table
            table.columns = try table.columns.map { try XCTUnwrap(names[$0], "no new name for \($0)") }
            try EventWriter.write(table, to: to, attributes: [], comm: comm)
        }
        let roles = OwnDataTests.rolesTable
        try ("[ensemble]\nspace = \"full\"\n\n" + roles).write(toFile: dir + "/ensemble/config.toml", atomically: true, encoding: .utf8)
        let e = try CLI.run(["evaluate", "--real", dir + "/heldout.h5", "--generated", dir + "/generated.h5", "--classifier-rows", "0",
                             "--config", dir + "/ensemble/config.toml", "--out", dir + "/evaluation.json"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let r = try CLI.run(["report", dir], timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        func histograms(_ run: String) throws -> [String: Any] {
            let data = try Data(contentsOf: URL(fileURLWithPath: run + "/report/histograms.json"))
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        let renamed = try histograms(dir), reference = try histograms(original)
        let derived = ["mll", "ptll", "met", "phi_miss", "dphi_ll", "njets"]
        XCTAssertEqual(Set(renamed.keys), Set(OwnDataTests.renaming.map(\.1) + derived))
        for q in derived {
            let drawn = try XCTUnwrap(renamed[q] as? NSDictionary, "\(q) is drawn under the roles")
            XCTAssertEqual(drawn, try XCTUnwrap(reference[q] as? NSDictionary), "\(q): the original names' counts")
        }
        let page = try String(contentsOfFile: dir + "/report/index.html", encoding: .utf8)
        XCTAssertFalse(page.contains("Not drawn"), "every quantity is drawn")
        // Without roles the quantities' inputs are not found: listed, not drawn.
        let bare = CLI.fixture(text: "[ensemble]\nspace = \"full\"\n", to: CLI.path("report-no-roles.toml"))
        let none = try CLI.run(["report", dir, "--config", bare, "--out", CLI.path("report-renamed-no-roles")], timeout: 300)
        XCTAssertEqual(none.status, 0, none.stderr)
        XCTAssertNil(try histograms(CLI.path("report-renamed-no-roles"))["mll"])
        XCTAssertTrue(try String(contentsOfFile: CLI.path("report-renamed-no-roles/report/index.html"), encoding: .utf8)
            .contains("Not drawn (the report cannot compute them from the columns playing their roles): mll, ptll, met, phi_miss, "
                      + "dphi_ll, njets"))
    }

    func testMissingPythonPackageIsOneLineAndExit69() throws {
        let run = ReportTests.run.dir
        let fake = CLI.path("report-no-mplhep")
        try FileManager.default.createDirectory(atPath: fake, withIntermediateDirectories: true)
        try "raise ImportError('mplhep is not installed (test fixture)')\n".write(toFile: fake + "/mplhep.py", atomically: true, encoding: .utf8)
        let r = try CLI.run(["report", run, "--out", CLI.path("report-no-mplhep-out")],
                            extraEnvironment: ["PYTHONPATH": fake, "LATENTSIM_PYTHON": ReportTests.python])
        XCTAssertEqual(r.status, 69)
        let python = ReportTests.python
        XCTAssertEqual(r.errorLines, ["error: the report needs the Python packages numpy, h5py, matplotlib, mplhep; \(python) lacks "
                                      + "mplhep; install them with `bash scripts/setup.sh` (or `\(python) -m pip install mplhep`, or set "
                                      + "LATENTSIM_PYTHON to an interpreter that has them)"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("report-no-mplhep-out/report")))
        let none = try CLI.run(["report", run], extraEnvironment: ["LATENTSIM_PYTHON": "no-such-python3"])
        XCTAssertEqual(none.status, 69)
        XCTAssertEqual(none.errorLines, ["error: the report needs Python 3 with numpy, h5py, matplotlib and mplhep; 'no-such-python3' "
                                         + "was not found on PATH; install them with `bash scripts/setup.sh` (or set LATENTSIM_PYTHON "
                                         + "to an interpreter that has them)"])
    }

    func testDirectoryWithoutEvaluationIsOneLineAndExit66() throws {
        let empty = CLI.path("report-empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let r = try CLI.run(["report", empty], ranks: 2, extraEnvironment: ["LATENTSIM_PYTHON": ReportTests.python])
        XCTAssertEqual(r.status, 66)
        XCTAssertEqual(r.errorLines, ["error: '\(empty)/evaluation.json' does not exist; give the output directory of "
                                      + "`latentsim pipeline` (or run `latentsim evaluate --out RUN/evaluation.json` first)"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: empty + "/report"))
    }

    /// The pipeline's report stage: a missing interpreter is noted and the pipeline goes on (no throw, the
    /// existing report untouched); any other report failure (here: no evaluation.json) is still an error.
    func testPipelineNotesAMissingReportButNotOtherFailures() throws {
        let run = ReportTests.run.dir
        let index = run + "/report/index.html"
        let before = try FileManager.default.attributesOfItem(atPath: index)[.modificationDate] as? Date
        let job = CLI.fixture(text: "[pipeline]\nout = \"\(run)\"\n", to: CLI.path("report-pipeline.toml"))
        let comm = try Communicator.selfOnly()
        setenv("LATENTSIM_PYTHON", "no-such-python3", 1)
        defer { unsetenv("LATENTSIM_PYTHON") }
        XCTAssertNoThrow(try PipelineStages.report(try PipelineSettings.load(job: job, out: nil), comm: comm,
                                                   console: Console(comm: comm)))
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: index)[.modificationDate] as? Date, before)
        unsetenv("LATENTSIM_PYTHON")
        let empty = CLI.path("report-pipeline-empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try PipelineStages.report(try PipelineSettings.load(job: job, out: empty), comm: comm,
                                                       console: Console(comm: comm))) { error in
            XCTAssertEqual((error as? ReportableError)?.exitCode, 66, "\(error)")
        }
    }
}
