import Comm
import EventStore
import Foundation
import NN
import Physics
import Support
import Training

extension GeneratorModel {
    /// The benchmark's generators, with random weights, built in memory and run through exactly the
    /// code `latentsim generate` runs (the shapes of benchmarks/peer_common.py):
    /// - gen17: the paper's full-space generator, noise 64 → 128-256-512-256-128 → 17 features;
    /// - latent: the same sampler ending in 4 codes, then the autoencoder's decoder 4 → 8-64-128-512 → 17.
    /// Both map to physical units through preprocessing fitted on a small simulated Drell–Yan table
    /// (rotation frame, smeared nvtx, standardisation), so the post-processing costs what it costs
    /// for a trained model.
    public enum Synthetic: String, CaseIterable {
        case gen17, latent
    }

    public static let benchmarkNoise = 64
    public static let benchmarkHidden = [128, 256, 512, 256, 128]
    public static let benchmarkDecoder = [4, 8, 64, 128, 512, 17]

    public static func synthetic(_ kind: Synthetic, seed: UInt64 = 1, chunk: Int = GeneratorModel.defaultChunk) throws -> GeneratorModel {
        let table = EventGenerator(process: .dy, seed: seed).generate(rows: 0..<4000)
        var frame = Preprocessor(steps: [.rotateAzimuth(reference: "mu2")])
        try frame.fit(table, comm: nil, seed: seed)
        let framed = try frame.forward(table, seed: seed)
        var scaling = Preprocessor(steps: [.smearInteger(["nvtx"]), .standardize(framed.columns)])
        try scaling.fit(framed, comm: nil, seed: seed)
        let leaky = Activation.leakyReLU(0.2)
        func mlp(_ widths: [Int], seed: UInt64) throws -> MLP {
            try MLP(widths: widths, activations: Array(repeating: leaky, count: widths.count - 2) + [.linear], maxBatch: chunk, seed: seed)
        }
        switch kind {
        case .gen17:
            let sampler = try mlp([benchmarkNoise] + benchmarkHidden + [framed.width], seed: seed)
            return try GeneratorModel(sampler: sampler, noiseWidth: benchmarkNoise, latentScaling: nil, decoder: nil, scaling: scaling,
                                      zeros: ZeroCalibration(), frame: frame, columns: table.columns, chunk: chunk)
        case .latent:
            let latent = benchmarkDecoder[0]
            let sampler = try mlp([benchmarkNoise] + benchmarkHidden + [latent], seed: seed)
            var codes = EventTable(columns: (0..<latent).map { "z\($0)" }, rows: 1000)
            var rng = Philox(seed: seed, stream: 0, substream: 0x5A)
            codes.values.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
            var latentScaling = Preprocessor(steps: [.standardize(codes.columns)])
            try latentScaling.fit(codes, comm: nil, seed: seed)
            let decoder = try mlp(benchmarkDecoder, seed: seed &+ 1)
            return try GeneratorModel(sampler: sampler, noiseWidth: benchmarkNoise, latentScaling: latentScaling, decoder: .mlp(decoder),
                                      scaling: scaling, zeros: ZeroCalibration(), frame: frame, columns: table.columns, chunk: chunk)
        }
    }
}
