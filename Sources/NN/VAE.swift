import Support
/// Gaussian VAE used as a generator of n-dimensional rows (e.g. a latent-space generator for
/// a GAN trainer's "VAE" option):
///   encoder  n → hidden… → 2m   rows [μ | log σ²], leakyReLU hidden layers, linear output
///   z = μ + exp(½ log σ²) ⊙ ε,  ε ~ N(0, 1)          (`Reparameterization`)
///   decoder  m → reversed hidden… → n, linear output
///
/// Loss convention (per-row sums, mean over rows), minimised by `step`:
///   L = (1/B) Σ_rows [ Σ_features (x̂ − x)²  +  β · Σ_latent KL(N(μ, σ²) ‖ N(0, 1)) ].
/// Per-row sums keep β = 1 meaningful independently of n and m: L is (up to constants) the
/// negative ELBO of a decoder N(x̂, σ_x² I) with σ_x² = β/2. Consequence for generation:
/// `sample` returns decoder means, so on data whose principal variances exceed β/2 the
/// sample covariance tends to the data covariance minus (β/2)·I (the probabilistic-PCA
/// optimum of a linear VAE). For standardised inputs pick β ≪ 1 (e.g. 0.01–0.1) when the
/// generated spread matters more than a regular latent space.
///
/// Memory: both MLPs preallocate for `maxBatch`; the VAE adds one ε block, so `step` and
/// `sample` do not allocate. Optimizers are the caller's (one per MLP).
public final class VAE {
    public let encoder: MLP
    public let decoder: MLP
    public let features: Int
    public let latent: Int
    public let maxBatch: Int
    /// Weight β of the KL term (1 = the standard ELBO with σ_x² = ½, see above).
    public var beta: Float = 1
    /// ε of the last `step` (maxBatch × latent; the first batch × latent values are valid).
    let epsilonStorage: FloatStorage

    /// - Parameters:
    ///   - features: n, the width of the rows to model.
    ///   - latent: m, the latent width (the encoder outputs 2m values per row).
    ///   - hidden: encoder hidden widths, e.g. [64, 32]; the decoder mirrors them ([32, 64]).
    ///     May be empty (linear encoder and decoder).
    ///   - slope: leakyReLU slope α ≥ 0 of every hidden layer.
    ///   - seed: the encoder is initialised from `seed`, the decoder from `seed ^ decoderSeedMask`.
    /// - Throws: `NNError.invalidArchitecture` for non-positive sizes or a negative slope.
    public init(features: Int, latent: Int, hidden: [Int], slope: Float = 0.2, maxBatch: Int, seed: UInt64) throws {
        guard features > 0, latent > 0, hidden.allSatisfy({ $0 > 0 }) else {
            throw NNError.invalidArchitecture("VAE needs positive features, latent and hidden widths, found features \(features), "
                                              + "latent \(latent), hidden \(hidden)")
        }
        guard slope >= 0 && slope.isFinite else {
            throw NNError.invalidArchitecture("VAE leakyReLU slope must be finite and ≥ 0, found \(slope)")
        }
        guard maxBatch > 0 else { throw NNError.invalidArchitecture("VAE maxBatch must be positive, found \(maxBatch)") }
        let activations = Array(repeating: Activation.leakyReLU(slope), count: hidden.count) + [.linear]
        encoder = try MLP(widths: [features] + hidden + [2 * latent], activations: activations, maxBatch: maxBatch, seed: seed)
        decoder = try MLP(widths: [latent] + hidden.reversed() + [features], activations: activations, maxBatch: maxBatch,
                          seed: seed ^ VAE.decoderSeedMask)
        self.features = features
        self.latent = latent
        self.maxBatch = maxBatch
        epsilonStorage = FloatStorage(count: maxBatch * latent)
    }

    /// A VAE on existing networks, e.g. one in-process worker's replicas (`ModelReplicas`) of
    /// another VAE's encoder and decoder: encoder n → 2m, decoder m → n.
    public init(encoder: MLP, decoder: MLP, maxBatch: Int) throws {
        let latent = decoder.inputWidth, features = decoder.outputWidth
        guard encoder.inputWidth == features, encoder.outputWidth == 2 * latent, maxBatch > 0,
              maxBatch <= min(encoder.maxBatch, decoder.maxBatch) else {
            throw NNError.invalidArchitecture("VAE networks do not fit: encoder \(encoder.widths), decoder \(decoder.widths), "
                                              + "maxBatch \(maxBatch)")
        }
        self.encoder = encoder
        self.decoder = decoder
        self.features = features
        self.latent = latent
        self.maxBatch = maxBatch
        epsilonStorage = FloatStorage(count: maxBatch * latent)
    }

    /// Separates the decoder's initialisation key from the encoder's without colliding with the
    /// seed + 1, seed + 2 … that callers commonly give their other models.
    public static let decoderSeedMask: UInt64 = 0x5641_4544_6563_6F64

    /// Decoder means for `batch` rows of z ~ N(0, 1) (one `noise.fillNormal` of batch × latent
    /// values, written to the decoder's input). The result is the decoder's output block: valid
    /// until the decoder's next forward pass (e.g. the next `step` or `sample`).
    @discardableResult
    public func sample(batch: Int, noise: inout Philox) -> UnsafeMutableBufferPointer<Float> {
        precondition(batch > 0 && batch <= maxBatch, "VAE sample batch \(batch) outside 1...\(maxBatch)")
        noise.fillNormal(decoder.input(batch: batch))
        return decoder.forward(batch: batch)
    }
}
