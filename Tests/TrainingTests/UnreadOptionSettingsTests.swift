import Foundation
import XCTest
@testable import Support
@testable import Training

/// The refusal of options a model does not read (`UnreadOptionsTests` pins its lines) leaves alone
/// what must keep working: a run's stored configuration (every option, `noise` and `ema` at their
/// defaults) resolves again for the VAE and the flow, a VAE accepts ema = 0 (no average, which is
/// what it does), and a GAN reads both options.
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
        for model in ["vae", "flow", "gan"] {
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
    }
}
