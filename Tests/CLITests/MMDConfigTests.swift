import Foundation
import XCTest

/// The MMD term's options refused with one pinned line each (usage, 64), before any data is read.
final class MMDConfigTests: XCTestCase {
    func testMisuseIsRefusedWithOneLine() throws {
        func check(_ name: String, _ lines: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let job = CLI.fixture(text: "[ensemble]\nregression = []\n" + lines + "\n", to: CLI.path("mmd-bad-\(name).toml"))
            let r = try CLI.run(["ensemble", "--config", job, "--data", EnsembleTests.data, "--reducer", EnsembleTests.reducer,
                                 "--out", CLI.path("mmd-bad-\(name)")])
            XCTAssertEqual(r.status, 64, r.stderr, file: file, line: line)
            XCTAssertEqual(r.errorLines, ["error: " + message], file: file, line: line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: CLI.path("mmd-bad-\(name)") + "/leaderboard.json"), file: file, line: line)
        }
        try check("name", "mmd = [\"pt_ll\"]", "unknown mmd quantity 'pt_ll'; expected one of: mll, ptll, met, phi_miss, dphi_ll")
        try check("njets", "mmd = [\"ptll\", \"njets\"]",
                  "mmd quantity 'njets' is not differentiable; choose among mll, ptll, met, phi_miss, dphi_ll")
        try check("twice", "mmd = [\"met\", \"ptll\", \"met\"]", "mmd lists 'met' twice; name each quantity once")
        try check("columns-twice", "mmd_columns = [\"jet3_pt\", \"jet4_pt\", \"jet3_pt\"]",
                  "mmd_columns lists 'jet3_pt' twice; name each column once")
        try check("columns-vae", "mmd_columns = [\"jet3_pt\"]\nmodel = \"vae\"",
                  "mmd applies to model = gan or wgan-gp, found vae; set mmd = [] or choose a GAN")
        try check("weight", "mmd = [\"met\"]\nmmd_weight = 0", "mmd_weight must be a positive number, found 0.0")
        try check("bandwidth", "mmd = [\"met\"]\nmmd_bandwidth = -1",
                  "mmd_bandwidth must be a positive number of standard deviations, found -1.0; use e.g. 2.0")
        try check("kernels", "mmd = [\"met\"]\nmmd_kernels = 9", "mmd_kernels must be in 1...8, found 9; use e.g. 5")
        try check("batch", "mmd = [\"met\"]\nmmd_batch = 1", "mmd_batch must be at least 2, found 1; use e.g. 512")
        try check("vae", "mmd = [\"met\"]\nmodel = \"vae\"", "mmd applies to model = gan or wgan-gp, found vae; set mmd = [] or choose a GAN")
        try check("flow", "mmd = [\"met\"]\nmodel = \"flow\"", "mmd applies to model = gan or wgan-gp, found flow; set mmd = [] or choose a GAN")
    }
}
