import Foundation
import XCTest

/// Options the chosen model does not read (`noise` for the VAE and the flow, `ema` for the VAE) are
/// refused with one pinned line (usage, 64) naming where they were set, before any data is read or
/// anything written. (Their defaults, which every run's config.toml stores, are accepted:
/// `UnreadOptionSettingsTests`.)
final class UnreadOptionsTests: XCTestCase {
    func testUnreadOptionsAreRefusedWithOneLine() throws {
        func check(_ name: String, _ lines: String, _ extra: [String] = [], _ message: (String) -> String,
                   file: StaticString = #filePath, line: UInt = #line) throws {
            let job = CLI.fixture(text: "[ensemble]\n" + lines + "\n", to: CLI.path("unread-\(name).toml"))
            let out = CLI.path("unread-\(name)")
            let r = try CLI.run(["ensemble", "--config", job, "--data", CLI.path("unread-none.h5"), "--space", "full", "--out", out] + extra)
            XCTAssertEqual(r.status, 64, r.stderr, file: file, line: line)
            XCTAssertEqual(r.errorLines, ["error: " + message(job)], file: file, line: line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written", file: file, line: line)
        }
        try check("flow", "model = \"flow\"\nnoise = 16") {
            "noise = 16 (set in \($0), line 3) has no effect with model = flow: a flow's noise is as wide as its rows "
                + "(one value per generated column); remove noise"
        }
        // A GAN job switched to the VAE on the command line keeps its noise width: refused where the file sets it.
        try check("vae-noise", "model = \"gan\"\nnoise = 16\nvae_latent = 6", ["--model", "vae"]) {
            "noise = 16 (set in \($0), line 3) has no effect with model = vae: the decoder reads vae_latent = 6 noise values "
                + "per event; set vae_latent to change that width and remove noise"
        }
        try check("vae-ema", "model = \"vae\"\nema = 0.99", ["--ema", "0.995"]) { _ in
            "ema = 0.995 (given on the command line) has no effect with model = vae: a VAE's snapshots sample its decoder's "
                + "raw weights (no moving average); remove ema (or set it to 0)"
        }
    }
}
