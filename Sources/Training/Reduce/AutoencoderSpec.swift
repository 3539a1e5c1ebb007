import NN
import Support

/// The autoencoder's architecture: k features → hidden widths → n latent (linear) → mirrored
/// hidden widths → k outputs (linear), LeakyReLU between. Trained as one MLP (one fused parameter
/// buffer, one allreduce per step) and split into encoder and decoder models for use.
public struct AutoencoderSpec: Codable, Equatable {
    public var features: Int
    public var latent: Int
    public var hidden: [Int]
    public var slope: Float
    /// Kept features' indices (the `keep` option): the bottleneck's last columns are overwritten with
    /// them (MLP.InputCopy), so the decoder sees them beside the `latent − keep.count` learned codes.
    public var keep: [Int]? = nil

    public var kept: KeptFeatures { KeptFeatures(codes: latent - (keep?.count ?? 0), indices: keep ?? []) }

    public var widths: [Int] { [features] + hidden + [latent] + hidden.reversed() + [features] }
    public var encoderWidths: [Int] { [features] + hidden + [latent] }
    public var decoderWidths: [Int] { [latent] + hidden.reversed() + [features] }

    private func activations(layers: Int) -> [Activation] {
        (0..<layers).map { $0 == layers - 1 ? .linear : .leakyReLU(slope) }
    }
    public var encoderActivations: [Activation] { activations(layers: hidden.count + 1) }
    public var decoderActivations: [Activation] { activations(layers: hidden.count + 1) }

    public func makeModel(maxBatch: Int, seed: UInt64) throws -> MLP {
        let model = try MLP(widths: widths, activations: encoderActivations + decoderActivations, maxBatch: maxBatch, seed: seed)
        if let keep, !keep.isEmpty { try model.setInputCopy(kept.inputCopy(layer: hidden.count)) }
        return model
    }

    public func makeEncoder(from model: MLP, maxBatch: Int) throws -> MLP {
        let encoder = try MLP(widths: encoderWidths, activations: encoderActivations, maxBatch: maxBatch, seed: 0)
        let split = model.layers[hidden.count + 1].weightOffset
        try encoder.restoreParameters(UnsafeBufferPointer(rebasing: model.parameters[0..<split]))
        return encoder
    }

    public func makeDecoder(from model: MLP, maxBatch: Int) throws -> MLP {
        let decoder = try MLP(widths: decoderWidths, activations: decoderActivations, maxBatch: maxBatch, seed: 0)
        let split = model.layers[hidden.count + 1].weightOffset
        try decoder.restoreParameters(UnsafeBufferPointer(rebasing: model.parameters[split...]))
        return decoder
    }
}
