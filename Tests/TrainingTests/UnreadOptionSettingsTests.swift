import Foundation
import XCTest
@testable import Support
@testable import Training

/// The refusal of options a model does not read (`UnreadOptionsTests` pins its lines) leaves alone
/// what must keep working: a run's stored configuration (every option at its default) resolves again
/// for every model, values that say what the model does anyway are accepted (a VAE's ema = 0; no
/// regression terms, c1 = c2 = 0, gp_lambda = 0 and critic_steps = 1 for a model without them), each
/// model's own options are read, and every shipped job's [ensemble] table resolves.
final class UnreadOptionSettingsTests: XCTestCase {
    func overrides(_ model: String) -> ConfigOverrides {
        var o = ConfigOverrides()
        o.set("data", "t.h5")
        o.set("space", "full")
        o.set("out", "unused")
        o.set("model", model)
        return o
    }

    func testStoredConfigurationsAndMeaningfulValuesAreAccepted() throws {
        for model in ["vae", "flow", "gan", "wgan-gp"] {
            let s = try GANSettings.resolve(config: nil, overrides: overrides(model))
            XCTAssertTrue(s.toml.contains("\nnoise = 8\n") && s.toml.contains("\nema = 0.999\n"), s.toml)
            let path = NSTemporaryDirectory() + "unread-\(getpid())-\(model).toml"
            try s.toml.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let again = try GANSettings.resolve(config: path, overrides: ConfigOverrides())
            XCTAssertEqual(again.toml, s.toml, "--config RUN/config.toml repeats a \(model) run")
        }
        var vae = overrides("vae")
        vae.set("ema", 0.0)
        XCTAssertEqual(try GANSettings.resolve(config: nil, overrides: vae).ema, 0)
        var gan = overrides("gan")
        gan.set("noise", 16)
        gan.set("ema", 0.99)
        let g = try GANSettings.resolve(config: nil, overrides: gan)
        XCTAssertEqual([Double(g.noise), g.ema], [16, 0.99])
        for model in ["vae", "flow"] {
            var none = overrides(model)
            none.set("regression", [String]())
            none.set("c1", 0.0)
            none.set("c2", 0.0)
            none.set("gp_lambda", 0.0)
            none.set("critic_steps", 1)
            XCTAssertEqual(try GANSettings.resolve(config: nil, overrides: none).regression, [], model)
        }
        var wgan = overrides("wgan-gp")
        wgan.set("critic_steps", 3)
        wgan.set("gp_lambda", 5.0)
        wgan.set("mmd", ["ptll"])
        wgan.set("mmd_weight", 0.5)
        wgan.set("c1", 0.1)
        let w = try GANSettings.resolve(config: nil, overrides: wgan)
        XCTAssertEqual([Double(w.criticSteps), w.gpLambda, w.mmdWeight, w.c1], [3, 5, 0.5, 0.1])
        var vaeOwn = overrides("vae")
        vaeOwn.set("vae_latent", 4)
        vaeOwn.set("vae_widths", [32])
        vaeOwn.set("vae_beta", 0.1)
        let v = try GANSettings.resolve(config: nil, overrides: vaeOwn)
        XCTAssertEqual([Double(v.vaeLatent), Double(v.vaeWidths[0]), v.vaeBeta], [4, 32, 0.1])
        var flowOwn = overrides("flow")
        flowOwn.set("flow_widths", [32])
        flowOwn.set("flow_steps", 4)
        flowOwn.set("ema", 0.99)
        let f = try GANSettings.resolve(config: nil, overrides: flowOwn)
        XCTAssertEqual([Double(f.flowWidths[0]), Double(f.flowSteps), f.ema], [32, 4, 0.99])
    }

    func testShippedJobsResolve() throws {
        let jobs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("jobs")
        let files = try FileManager.default.contentsOfDirectory(atPath: jobs.path).filter { $0.hasSuffix(".toml") }.sorted()
        XCTAssertGreaterThan(files.count, 5)
        for file in files {
            var o = ConfigOverrides()
            o.set("data", "t.h5")
            o.set("reducer", "unused")
            o.set("out", "unused")
            XCTAssertNoThrow(try GANSettings.resolve(config: jobs.appendingPathComponent(file).path, overrides: o), file)
        }
    }
}
