import Foundation
import XCTest

/// Options the chosen model does not read (GANSettings+Unread.swift lists which model reads what) are
/// refused with one pinned line (usage, 64) naming where they were set, before any data is read or
/// anything written. (Their defaults, which every run's config.toml stores, and values that say what
/// the model does anyway are accepted: `UnreadOptionSettingsTests`.)
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
        // A GAN job's network widths under --model vae or flow.
        try check("vae-widths", "model = \"gan\"\ngenerator_widths = [24, 24]", ["--model", "vae"]) {
            "generator_widths = [24, 24] (set in \($0), line 3) has no effect with model = vae: a VAE's encoder and decoder take "
                + "their widths from vae_widths; set vae_widths and remove generator_widths"
        }
        try check("flow-critic", "model = \"flow\"\ndiscriminator_widths = [24, 12]") {
            "discriminator_widths = [24, 12] (set in \($0), line 3) has no effect with model = flow: a flow has no discriminator; "
                + "remove discriminator_widths"
        }
        try check("gan-critic", "model = \"gan\"\ncritic_steps = 3") {
            "critic_steps = 3 (set in \($0), line 3) has no effect with model = gan: only model = wgan-gp takes several critic "
                + "steps per generator step (a GAN takes 1); remove critic_steps (or choose model = wgan-gp)"
        }
        try check("flow-regression", "model = \"flow\"\nregression = [\"ptll\"]") {
            "regression = [\"ptll\"] (set in \($0), line 3) has no effect with model = flow: a flow trains without the GAN "
                + "generator's loss terms; set regression = [] (or choose a GAN)"
        }
        try check("vae-mmd", "model = \"vae\"\nmmd_weight = 0.5") {
            "mmd_weight = 0.5 (set in \($0), line 3) has no effect with model = vae: a VAE trains without the GAN generator's "
                + "loss terms; remove mmd_weight (or choose a GAN)"
        }
        try check("gan-vae", "model = \"wgan-gp\"\nvae_beta = 0.1") {
            "vae_beta = 0.1 (set in \($0), line 3) has no effect with model = wgan-gp: only model = vae has an encoder and a "
                + "latent space; remove vae_beta (or choose model = vae)"
        }
        try check("vae-flow", "model = \"vae\"\nflow_steps = 4") {
            "flow_steps = 4 (set in \($0), line 3) has no effect with model = vae: only model = flow has a velocity network and "
                + "an ODE sampler; remove flow_steps (or choose model = flow)"
        }
    }
}
