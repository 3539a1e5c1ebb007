@testable import NN
@testable import Support

/// A WGAN-GP critic step as a GAN trainer would run it (allocation-test fixture): Wasserstein
/// loss on [real | fake] rows with .overwrite, then the gradient penalty on interpolated rows
/// added on top, then Adam.
final class CriticPenaltyStep {
    let critic: MLP
    let penalty: GradientPenalty
    let optimizer: Adam
    let batch: Int
    private let rows: FloatStorage
    private var rng = Philox(seed: 13, stream: 0)

    init(features: Int = 7, batch: Int = 32) throws {
        self.batch = batch
        critic = try MLP(widths: [features, 32, 16, 1], activations: [.leakyReLU(0.2), .leakyReLU(0.2), .linear],
                         maxBatch: 2 * batch, seed: 4)
        penalty = try GradientPenalty(critic: critic, maxBatch: batch)
        optimizer = Adam(for: critic, learningRate: 1e-4, beta1: 0, beta2: 0.9)
        rows = FloatStorage(count: 2 * batch * features)
        rng.fillNormal(rows.buffer)
    }

    /// Returns the local penalty sum.
    @discardableResult
    func step() -> Double {
        let n = critic.inputWidth, b = batch
        critic.forward(UnsafeBufferPointer(rows.buffer), batch: 2 * b)
        // Critic loss mean(D(fake)) − mean(D(real)).
        let gradient = critic.outputGradient(batch: 2 * b)
        for i in 0..<b { gradient[i] = -1 / Float(b); gradient[b + i] = 1 / Float(b) }
        critic.backward(batch: 2 * b, parameterGradients: .overwrite)
        // In place: the critic's input block still holds [real | fake].
        let input = critic.input
        GradientPenalty.interpolate(real: UnsafeBufferPointer(rebasing: input[0 ..< b * n]),
                                    fake: UnsafeBufferPointer(rebasing: input[b * n ..< 2 * b * n]),
                                    into: critic.input(batch: b), rows: b, width: n, rng: &rng)
        critic.forward(batch: b)
        let sum = penalty.accumulate(batch: b, lambda: 10, scale: 1 / Float(b))
        optimizer.step(critic)
        return sum
    }
}
