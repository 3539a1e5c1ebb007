import Foundation
import XCTest
@testable import NN
@testable import Support
@testable import Training

/// `model = "flow"` in GANSettings: its defaults, its options in the stored configuration, the
/// batch clip of a whole-batch model, and no refusal from regression terms it does not train with.
final class FlowSettingsTests: XCTestCase {
    func settings(_ model: String, _ extra: (inout ConfigOverrides) -> Void = { _ in }) throws -> GANSettings {
        var o = ConfigOverrides()
        o.set("data", "t.h5")
        o.set("space", "full")
        o.set("out", "unused")
        o.set("model", model)
        extra(&o)
        return try GANSettings.resolve(config: nil, overrides: o)
    }

    func testDefaultsStoredConfigurationAndBatchClip() throws {
        let s = try settings("flow")
        XCTAssertEqual(s.flowWidths, [256, 256, 256])
        XCTAssertEqual(s.flowSteps, 16)
        XCTAssertEqual(s.flowIntegrator, .midpoint)
        for line in ["flow_integrator = \"midpoint\"", "flow_steps = 16", "flow_widths = [256, 256, 256]", "model = \"flow\""] {
            XCTAssertTrue(s.toml.contains(line), "\(line) in\n\(s.toml)")
        }
        let heun = try settings("flow") { $0.set("flow_integrator", "heun"); $0.set("flow_steps", 8) }
        XCTAssertEqual([heun.flowSteps], [8])
        XCTAssertEqual(heun.flowIntegrator, .heun)
        // Every row of a flow's batch is a real row, as a VAE's.
        let fit = try settings("flow") { $0.set("batch", 4096); $0.set("validation_events", 1000) }
            .fitted(trainingRows: 1608, heldOutRows: 392)
        XCTAssertEqual(fit.settings.batch, 1608)
        XCTAssertEqual(fit.notes.first, "note: batch 4096 is larger than the 1608 training rows; clipped to 1608 (every training row in each step)")
    }

    /// A flow keeps the default regression = ["mll"] as given but trains without it; the GAN trains
    /// with it. Full-space `ordered`, which the GAN once refused because its terms needed a derivative
    /// the step did not keep, is accepted by both since the terms run through it (h-ganjets).
    func testRegressionTermsDoNotApplyToAFlow() throws {
        let ordered: (inout ConfigOverrides) -> Void = { $0.set("ordered", ["jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt"]) }
        XCTAssertEqual(try settings("gan", ordered).activeRegression.map(\.rawValue), ["mll"])
        let flow = try settings("flow", ordered)
        XCTAssertEqual(flow.regression.map(\.rawValue), ["mll"], "the setting is kept as given")
        XCTAssertEqual(flow.activeRegression, [])
        XCTAssertEqual(try settings("gan").activeRegression.map(\.rawValue), ["mll"])
    }
}
