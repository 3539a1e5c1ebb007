import Comm
import EventStore
import Foundation
import NN
import Support
import Training

/// A trained generator ready to produce physical events in bulk: the sampler network (noise →
/// one output row), in latent space the latent standardisation's inverse and the reducer's
/// decoder, then the scaling's inverse (standardisation, the integer columns' floor), the zero
/// calibration and the frame's inverse (restores mu2_py and gives each event a uniformly random
/// azimuth), ending in the training table's column order (`columns`). The same mapping as
/// `GANData.physical` plus the frame, but on preallocated chunk buffers.
///
/// Event i depends only on (model, seed, i): its noise comes from its own Philox stream (seed,
/// stream i) and the azimuth from the frame's per-row stream, and chunks start at multiples of
/// `chunk` (global rows), so the output is bitwise the same for any rank count or shard layout
/// whose boundaries fall on such multiples — and for any, as a row's network output does not depend
/// on its batch (`DenseKernel`; in practice also with OpenBLAS). The networks run on weights packed
/// once at load. `generate` allocates nothing per event or per chunk.
public final class GeneratorModel {
    public enum Decoder {
        case mlp(MLP)
        case pca(PCA)
    }

    /// Philox substream of the sampler noise ("GEN"); the frame's azimuth uses its own.
    public static let noiseSubstream: UInt32 = 0x47454E
    /// Rows per network batch. 512 keeps the widest layer's input and output (512 × 256 and 512 × 512
    /// floats, 1.5 MiB) inside a core's 2 MiB L2; at 1024 they fill it twice over. Six interleaved
    /// pairs of `bench --generate --chunk` on one idle machine, medians, 1 rank: gen17 141k events/s
    /// compute (122k at 1024), 136k into HDF5 (127k), latent 101k into HDF5 (92k); 2 ranks, gen17 into
    /// HDF5, 3 pairs: 254k (231k). At 4096 (8 MiB) the latent model ran at 145k on 2 ranks against 170k
    /// at 1024 in an earlier session.
    public static let defaultChunk = 512

    public let sampler: MLP
    /// The sampler's and an MLP decoder's weights packed for `DenseKernel` (nil: OpenBLAS).
    private let samplerWeights: PackedWeights?
    private let decoderWeights: PackedWeights?
    public let noiseWidth: Int
    public let latentScaling: Preprocessor?
    public let decoder: Decoder?
    /// Features the reducer carries through its latent space (nil: none).
    public let kept: KeptFeatures?
    public let scaling: Preprocessor
    public let features: [String]
    public let frame: Preprocessor?
    /// Output columns: the training table's, in file order.
    public let columns: [String]
    public let chunk: Int
    /// When set (benchmark breakdown), each stage of `generate` is charged to it.
    public var stages: GenerationStages?
    /// Zero calibration by feature index (values below the threshold become exactly 0).
    private let zeros: [ZeroCalibration.Bound]
    /// Feature j goes to position `placement[j]` of the frame's (or the output's) layout.
    private let placement: [Int]
    private let work: FloatStorage
    private let staged: FloatStorage
    /// The codes alone, for a PCA decoder when features are kept (an MLP decoder reads whole latent rows).
    private let codeRows: FloatStorage
    private let stride: Int

    public init(sampler: MLP, noiseWidth: Int, latentScaling: Preprocessor?, decoder: Decoder?, kept: KeptFeatures? = nil,
         scaling: Preprocessor, zeros: ZeroCalibration, frame: Preprocessor?, columns: [String],
         chunk: Int = GeneratorModel.defaultChunk) throws {
        precondition(sampler.maxBatch >= chunk && chunk > 0, "the sampler must take chunks of \(chunk) rows")
        self.sampler = sampler
        samplerWeights = PackedWeights(sampler)
        if case .mlp(let mlp)? = decoder { decoderWeights = PackedWeights(mlp) } else { decoderWeights = nil }
        self.noiseWidth = noiseWidth
        self.latentScaling = latentScaling
        self.decoder = decoder
        self.kept = kept?.nonEmpty
        self.scaling = scaling
        self.frame = frame
        self.columns = columns
        self.chunk = chunk
        let features = scaling.inputColumns
        self.features = features
        let layout = frame?.outputColumns ?? columns
        placement = try features.map { name in
            guard let j = layout.firstIndex(of: name) else {
                throw InputError("the generator's feature '\(name)' is not among the output columns "
                                 + "\(layout.joined(separator: ",")); the model files do not belong together",
                                 exitCode: ExitStatus.dataError)
            }
            return j
        }
        guard layout.count == features.count else {
            throw InputError("the generator has \(features.count) features but its output layout has \(layout.count) columns "
                             + "(\(layout.joined(separator: ","))); the model files do not belong together", exitCode: ExitStatus.dataError)
        }
        self.zeros = zeros.bound(to: features)
        stride = [sampler.outputWidth, latentScaling?.maximumWidth ?? 0, scaling.maximumWidth, frame?.maximumWidth ?? 0,
                  columns.count].max() ?? 1
        work = FloatStorage(count: chunk * stride)
        staged = FloatStorage(count: chunk * stride)
        codeRows = FloatStorage(count: chunk * max(1, self.kept?.codes ?? 1))
    }

    public var width: Int { columns.count }

    /// Generates global rows `rows` in chunks; `emit(values, rowsOfChunk)` receives each chunk's
    /// `count × width` floats (valid until the next chunk).
    public func generate(rows: Range<Int>, seed: UInt64,
                  emit: (UnsafeBufferPointer<Float>, Range<Int>) throws -> Void) throws {
        var start = rows.lowerBound
        while start < rows.upperBound {
            let end = min(rows.upperBound, (start / chunk + 1) * chunk)
            let out = try generateChunk(start..<end, seed: seed)
            try emit(out, start..<end)
            start = end
        }
    }

    /// One chunk (at most `chunk` rows, not crossing a multiple of `chunk`).
    private func generateChunk(_ rows: Range<Int>, seed: UInt64) throws -> UnsafeBufferPointer<Float> {
        let n = rows.count
        stages?.start()
        Philox.fillNormalRows(sampler.input(batch: n), width: noiseWidth, firstRow: rows.lowerBound, seed: seed,
                              substream: GeneratorModel.noiseSubstream)
        stages?.lap(.noise)
        let output = UnsafeBufferPointer(sampler.forward(batch: n, packed: samplerWeights))
        stages?.lap(.sampler)
        let buffer = work.view(0, n * stride)
        if let latentScaling, let decoder {
            let codes = staged.view(0, n * stride)
            try latentScaling.inverse(output, into: codes, rows: n, firstRow: rows.lowerBound, seed: seed)
            stages?.lap(.latentInverse)
            let latentCodes = UnsafeBufferPointer(rebasing: codes[0..<(n * latentScaling.inputColumns.count)])
            switch (decoder, kept) {
            case (.mlp(let mlp), _):
                _ = buffer.update(fromContentsOf: mlp.forward(latentCodes, batch: n, packed: decoderWeights))
            case (.pca(let pca), nil):
                pca.decode(latentCodes, rows: n, into: buffer)
            case (.pca(let pca), let kept?):
                let c = codeRows.view(0, n * kept.codes)
                kept.codes(of: latentCodes, rows: n, into: c)
                pca.decode(UnsafeBufferPointer(c), rows: n, into: buffer)
            }
            kept?.restore(buffer, featureWidth: features.count, from: latentCodes, rows: n)
            stages?.lap(.decoder)
            try scaling.inverse(into: buffer, rows: n, firstRow: rows.lowerBound, seed: seed)
        } else {
            try scaling.inverse(output, into: buffer, rows: n, firstRow: rows.lowerBound, seed: seed)
        }
        stages?.lap(.scalingInverse)
        let k = features.count
        ZeroCalibration.apply(zeros, to: buffer, rows: n, width: k)
        // Features → the frame's input layout (or the output order), then the frame's inverse.
        let placed = staged.view(0, n * stride)
        let layoutWidth = frame?.outputColumns.count ?? columns.count
        for r in 0..<n {
            for j in 0..<k { placed[r * layoutWidth + placement[j]] = buffer[r * k + j] }
        }
        stages?.lap(.placement)
        try frame?.inverse(into: placed, rows: n, firstRow: rows.lowerBound, seed: seed)
        stages?.lap(.frame)
        return UnsafeBufferPointer(rebasing: placed[0..<(n * width)])
    }
}
