import XCTest
@testable import NN
import Training
@testable import Support

final class TrainingTests: XCTestCase {
    /// Fit y = sin(x) on [−π, π] with a 1-32-32-1 tanh/LeakyReLU MLP and Adam; the MSE must
    /// fall by a factor > 50.
    func testFitsSine() throws {
        let batch = 64
        let model = try MLP(widths: [1, 32, 32, 1], activations: [.tanh, .leakyReLU(0.1), .linear], maxBatch: batch, seed: 7)
        let adam = Adam(for: model, learningRate: 0.01)
        var rng = Philox(seed: 3, stream: 0)
        var target = [Float](repeating: 0, count: batch)
        func step() -> Float {
            let x = model.input(batch: batch)
            for i in 0..<batch {
                x[i] = Float(.pi * (2 * rng.uniform() - 1))
                target[i] = sin(x[i])
            }
            let out = model.forward(batch: batch)
            let loss = target.withUnsafeBufferPointer {
                Loss.meanSquaredError(prediction: UnsafeBufferPointer(out), target: $0, batch: batch, features: 1, gradient: model.outputGradient)
            }
            model.backward(batch: batch)
            adam.step(model)
            return loss
        }
        let first = (0..<10).map { _ in step() }.reduce(0, +) / 10
        for _ in 0..<1500 { _ = step() }
        let last = (0..<10).map { _ in step() }.reduce(0, +) / 10
        XCTAssertLessThan(last, first / 50, "sine fit: \(first) → \(last)")
    }

    /// Autoencoder 2→16→1→16→2 on points of a noisy line: reconstruction MSE falls > 20×.
    func testAutoencoderOnLine() throws {
        let step = try AutoencoderStepOnLine()
        let first = (0..<5).map { _ in step.run() }.reduce(0, +) / 5
        for _ in 0..<800 { _ = step.run() }
        let last = (0..<5).map { _ in step.run() }.reduce(0, +) / 5
        XCTAssertLessThan(last, first / 20, "autoencoder: \(first) → \(last)")
    }

    /// Same seed → bitwise identical weights and optimizer state after N GAN and autoencoder
    /// steps; a different seed → different weights.
    func testTrainingIsDeterministic() throws {
        func ganRun(_ seed: UInt64) throws -> [Float] {
            let gan = try ProductionGANStep(features: 5, batch: 32, seed: seed).trainer
            for step in 0..<5 { _ = try gan.step(step) }
            return gan.generator.copyParameters() + gan.discriminator.copyParameters()
                + gan.generatorOptimizer.copyState() + gan.discriminatorOptimizer.copyState()
        }
        func aeRun(_ seed: UInt64) throws -> [Float] {
            let ae = try ProductionAutoencoderStep(widths: [7, 16, 3], batch: 24, seed: seed)
            for _ in 0..<5 { ae.benchmarkStep() }
            return ae.trainer.model.copyParameters() + ae.trainer.optimizer.copyState()
        }
        let gan = try ganRun(11)
        XCTAssertEqual(try ganRun(11), gan)
        XCTAssertNotEqual(try ganRun(12), gan)
        XCTAssertTrue(gan.allSatisfy(\.isFinite))
        XCTAssertEqual(try aeRun(11), try aeRun(11))
    }

    /// The production GAN step's losses stay finite and both models' parameters move.
    func testGANStepRuns() throws {
        let gan = try ProductionGANStep(features: 7, batch: 64, seed: 2)
        let trainer = gan.trainer
        let (g0, d0) = (trainer.generator.copyParameters(), trainer.discriminator.copyParameters())
        var losses: [Float] = []
        for _ in 0..<30 { losses.append(gan.benchmarkStep()) }
        XCTAssertTrue(losses.allSatisfy(\.isFinite))
        XCTAssertTrue(trainer.generator.parameters.allSatisfy(\.isFinite))
        XCTAssertNotEqual(trainer.generator.copyParameters(), g0)
        XCTAssertNotEqual(trainer.discriminator.copyParameters(), d0)
        XCTAssertEqual(trainer.generatorOptimizer.stepCount, 30)
    }
}

/// Tiny autoencoder on (t, 2t + noise): learnable through a 1-D bottleneck.
private final class AutoencoderStepOnLine {
    let encoder: MLP, decoder: MLP
    let encoderOptimizer: Adam, decoderOptimizer: Adam
    var rng = Philox(seed: 5, stream: 1)
    let batch = 32

    init() throws {
        encoder = try MLP(widths: [2, 16, 1], activations: [.leakyReLU(0.2), .linear], maxBatch: 32, seed: 1)
        decoder = try MLP(widths: [1, 16, 2], activations: [.leakyReLU(0.2), .linear], maxBatch: 32, seed: 2)
        encoderOptimizer = Adam(for: encoder, learningRate: 0.005)
        decoderOptimizer = Adam(for: decoder, learningRate: 0.005)
    }

    func run() -> Float {
        let x = encoder.input(batch: batch)
        for r in 0..<batch {
            let t = Float(2 * rng.uniform() - 1)
            x[2 * r] = t
            x[2 * r + 1] = 2 * t + 0.01 * Float(rng.normal())
        }
        let z = encoder.forward(batch: batch)
        let y = decoder.forward(UnsafeBufferPointer(z), batch: batch)
        let loss = Loss.meanSquaredError(prediction: UnsafeBufferPointer(y), target: UnsafeBufferPointer(x), batch: batch, features: 2,
                                         gradient: decoder.outputGradient)
        decoder.backward(batch: batch, inputGradient: true)
        encoder.backward(UnsafeBufferPointer(decoder.inputGradient(batch: batch)), batch: batch)
        decoderOptimizer.step(decoder)
        encoderOptimizer.step(encoder)
        return loss
    }
}
