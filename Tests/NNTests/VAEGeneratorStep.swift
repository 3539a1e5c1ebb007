@testable import NN
@testable import Support

/// A `VAE` training step plus a generation call (allocation-test fixture), Adam on both halves.
final class VAEGeneratorStep {
    let vae: VAE
    let optimizers: (Adam, Adam)
    let batch: Int
    private var noise = Philox(seed: 14, stream: 0)

    init(features: Int = 7, batch: Int = 32) throws {
        self.batch = batch
        vae = try VAE(features: features, latent: 3, hidden: [16, 8], maxBatch: batch, seed: 5)
        optimizers = (Adam(for: vae.encoder), Adam(for: vae.decoder))
        noise.fillNormal(vae.encoder.input)
    }

    /// Trains on the rows kept in the encoder's input block; returns the reconstruction sum.
    @discardableResult
    func step() -> Double {
        let losses = vae.step(UnsafeBufferPointer(vae.encoder.input(batch: batch)), batch: batch, noise: &noise, scale: 1)
        optimizers.0.step(vae.encoder)
        optimizers.1.step(vae.decoder)
        vae.sample(batch: batch, noise: &noise)
        return losses.reconstruction
    }
}
