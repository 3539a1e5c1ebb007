import Foundation
import XCTest
@testable import NN
@testable import Support
import Training

final class NNBenchmarkTests: XCTestCase {
    /// FLOPs per production GAN step from its gemm plan against the count by hand: weights W_G,
    /// W_D; forward 2·B·W, dW 2·B·W, dX 2·B·(W − first layer) unless the input gradient is needed.
    func testGANPlanFlopCount() throws {
        let step = try ProductionGANStep(features: 17, batch: 512, seed: 1).plan
        let gShapes: [Double] = [64 * 128, 128 * 256, 256 * 512, 512 * 256, 256 * 128, 128 * 17]
        let dShapes: [Double] = [17 * 128, 128 * 128, 128 * 256, 256 * 256, 256 * 128, 128 * 64, 64 * 32, 32 * 16, 16 * 8, 8]
        let wg = gShapes.reduce(0, +), wd = dShapes.reduce(0, +)
        let b = 512.0
        let fakes: Double = 2 * 256 * wg                                      // G forward for the fakes
        let dStep: Double = 2 * b * (3 * wd - dShapes[0])                     // D forward, dW, dX (no input gradient)
        let gThroughD: Double = 2 * b * (2 * wd + wg)                         // D forward, D dX only, G forward
        let gBackward: Double = 2 * b * (2 * wg - gShapes[0])                 // G dW, dX (no input gradient)
        XCTAssertEqual(GemmPlan(step.gemms).flops, fakes + dStep + gThroughD + gBackward)
    }

    /// The sweep plan of a GAN step covers every layer output the step computes: forward
    /// sweeps = G on 32 then 64 rows plus D twice on 64 (none where the forward passes run on the
    /// packed kernel, which fuses bias and activation into the product); backward sweeps = D twice (bias
    /// gradient only in the D phase) plus G once (only their output layers where the kernel fuses the
    /// hidden layers' derivatives into the dX products). Hand count from the layer widths.
    func testGANSweepPlanMatchesTheStep() throws {
        let production = try ProductionGANStep(features: 7, batch: 64, seed: 1)
        let step = production.plan
        let gOut = (ProductionGANStep.generatorWidths + [7]).reduce(0, +)
        let dOut = (ProductionGANStep.discriminatorWidths + [1]).reduce(0, +)
        let forward = step.sweeps.filter { $0.kind == .forward }
        let backward = step.sweeps.filter { $0.kind != .forward }
        XCTAssertEqual(forward.reduce(0) { $0 + $1.rows * $1.cols }, DenseKernel.variant != nil ? 0 : 32 * gOut + 64 * gOut + 2 * 64 * dOut)
        // With the kernel, each hidden layer's derivative is fused into the product above it: only
        // the output layers (D: 1 column, G: 7) keep their sweep.
        let fused = DenseKernel.variant != nil
        XCTAssertEqual(backward.reduce(0) { $0 + $1.rows * $1.cols }, fused ? 2 * 64 * 1 + 64 * 7 : 2 * 64 * dOut + 64 * gOut)
        XCTAssertEqual(backward.filter { $0.kind == .backward(biasGradient: true, accumulate: false) }.count,
                       fused ? 2 : ProductionGANStep.discriminatorWidths.count + 1 + ProductionGANStep.generatorWidths.count + 1)
        XCTAssertEqual(step.optimizedParameterCounts, [production.trainer.discriminator.parameterCount,
                                                       production.trainer.generator.parameterCount])
    }

    func testBreakdownPartsArePositive() throws {
        let parts = try NNBenchmark(minimumSeconds: 0.01).ganBreakdown(features: 7, batch: 32)
        for (label, seconds) in [("step", parts.step), ("sgemm", parts.sgemm), ("forward", parts.forwardSweeps),
                                 ("backward", parts.backwardSweeps), ("optimizer", parts.optimizer)] {
            XCTAssertTrue(seconds > 0 && seconds.isFinite, "\(label): \(seconds)")
        }
        XCTAssertTrue(parts.description.contains("optimizer updates"))
        // The products split by role: forward, dX, dW, in that order, with the step plan's FLOPs between them.
        XCTAssertEqual(parts.roles.map(\.label), GemmCall.Role.allCases.map(\.rawValue))
        for role in parts.roles { XCTAssertTrue(role.seconds > 0 && role.seconds.isFinite && role.flops > 0, "\(role)") }
        let gemms = try ProductionGANStep(features: 7, batch: 32, seed: 1).plan.gemms
        var expected: [Double] = []
        for role in GemmCall.Role.allCases {
            let calls: [GemmCall] = gemms.filter { $0.role == role }
            expected.append(calls.reduce(0.0) { $0 + $1.flops })
        }
        XCTAssertEqual(parts.roles.map(\.flops), expected)
        XCTAssertEqual(parts.roles.reduce(0) { $0 + $1.flops }, GemmPlan(gemms).flops)
        var withPeak = parts
        withPeak.peak = 100
        XCTAssertTrue(withPeak.description.contains("dW = xᵀ·dZ: ") && withPeak.description.contains(" of peak"), withPeak.description)
        XCTAssertFalse(parts.description.contains(" of peak"))
    }

    func testBenchmarkRunsAndReportsPositiveRates() throws {
        let bench = NNBenchmark(minimumSeconds: 0.01)
        let comparison = try bench.ganComparison(features: 7, batch: 64)
        let gan = comparison.step
        XCTAssertGreaterThan(gan.stepsPerSecond, 0)
        XCTAssertGreaterThan(comparison.sgemm.stepsPerSecond, 0)
        XCTAssertGreaterThan(comparison.sgemmInPlace.stepsPerSecond, 0)
        XCTAssertEqual(gan.samplesPerSecond, 64 * gan.stepsPerSecond, accuracy: 1e-6 * gan.samplesPerSecond)
        XCTAssertEqual(gan.flopsPerStep, comparison.sgemm.flopsPerStep)
        XCTAssertGreaterThan(try bench.autoencoder(widths: [5, 8, 2], batch: 16).stepsPerSecond, 0)
        let layers = try bench.autoencoderLayers(widths: [5, 8, 2], batch: 16)
        XCTAssertEqual(layers.reduce(0) { $0 + $1.flopShare }, 1, accuracy: 1e-9)
        XCTAssertEqual(layers.reduce(0) { $0 + $1.timeShare }, 1, accuracy: 1e-9)
        XCTAssertTrue(layers.allSatisfy { $0.gflops > 0 && $0.callsPerStep > 0 })
    }

    /// Full benchmark: `NN_BENCH=1 OPENBLAS_NUM_THREADS=1 swift test -c release --filter NNBenchmarkTests`.
    func testReleaseBenchmark() throws {
        guard ProcessInfo.processInfo.environment["NN_BENCH"] == "1" else { throw XCTSkip("set NN_BENCH=1 to run") }
        for line in try NNBenchmark(minimumSeconds: 3).report(ganFeatures: [17, 7]) { print(line) }
    }
}
