import NN

/// The autoencoder's architecture: k features → hidden widths → n latent (linear) → mirrored
/// hidden widths → k outputs (linear), LeakyReLU between. Trained as one MLP (one fused parameter
/// buffer, one allreduce per step) and split into encoder and decoder models for use.
struct AutoencoderSpec: Codable, Equatable {
    var features: Int
    var latent: Int
    var hidden: [Int]
    var slope: Float
    /// Kept features' indices (the `keep` option): the bottleneck's last columns are overwritten with
    /// them (MLP.InputCopy), so the decoder sees them beside the `latent − keep.count` learned codes.
    var keep: [Int]? = nil

    var kept: KeptFeatures { KeptFeatures(codes: latent - (keep?.count ?? 0), indices: keep ?? []) }

    var widths: [Int] { [features] + hidden + [latent] + hidden.reversed() + [features] }
    var encoderWidths: [Int] { [features] + hidden + [latent] }
    var decoderWidths: [Int] { [latent] + hidden.reversed() + [features] }

    private func activations(layers: Int) -> [Activation] {
        (0..<layers).map { $0 == layers - 1 ? .linear : .leakyReLU(slope) }
    }
    var encoderActivations: [Activation] { activations(layers: hidden.count + 1) }
    var decoderActivations: [Activation] { activations(layers: hidden.count + 1) }

    func makeModel(maxBatch: Int, seed: UInt64) throws -> MLP {
        let model = try MLP(widths: widths, activations: encoderActivations + decoderActivations, maxBatch: maxBatch, seed: seed)
        if let keep, !keep.isEmpty { try model.setInputCopy(kept.inputCopy(layer: hidden.count)) }
        return model
    }

    func makeEncoder(from model: MLP, maxBatch: Int) throws -> MLP {
        let encoder = try MLP(widths: encoderWidths, activations: encoderActivations, maxBatch: maxBatch, seed: 0)
        let split = model.layers[hidden.count + 1].weightOffset
        try encoder.restoreParameters(UnsafeBufferPointer(rebasing: model.parameters[0..<split]))
        return encoder
    }

    func makeDecoder(from model: MLP, maxBatch: Int) throws -> MLP {
        let decoder = try MLP(widths: decoderWidths, activations: decoderActivations, maxBatch: maxBatch, seed: 0)
        let split = model.layers[hidden.count + 1].weightOffset
        try decoder.restoreParameters(UnsafeBufferPointer(rebasing: model.parameters[split...]))
        return decoder
    }
}
