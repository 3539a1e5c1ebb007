import Comm
import EventStore
import Foundation
import NN
import Support

/// A fitted reducer (autoencoder or PCA) with everything needed to map physical events to latent
/// codes and back: the frame step (rotation), the scaling (smearing, standardisation), and the model.
public final class Reducer {
    public enum Method: String, Codable { case ae, pca }

    public let method: Method
    public let frame: Preprocessor?
    public let scaling: Preprocessor
    public let inputColumns: [String]
    public let features: [String]
    /// Latent width n: the model's codes plus the kept features.
    public let latent: Int
    /// Features carried into the latent space unchanged (the `keep` option), by name.
    public let keep: [String]
    public let kept: KeptFeatures
    public let split: HeldOutSplit
    public let spec: AutoencoderSpec?
    public let encoder: MLP?
    public let decoder: MLP?
    public let pca: PCA?
    /// The encoder's weights packed for `DenseKernel` (nil: OpenBLAS); decoding runs through
    /// `rowMapping`, on the decoder packed the way generation packs it.
    private let packedEncoder: PackedWeights?
    /// Decoded values below these thresholds become exact zeros (see ZeroCalibration).
    public var zeros = ZeroCalibration()
    public static let inferenceBatch = 4096

    public convenience init(method: Method, data: PreparedData, latent: Int, keep: [String], spec: AutoencoderSpec?, autoencoder: MLP?,
                     pca: PCA?) throws {
        var encoder: MLP? = nil, decoder: MLP? = nil
        if let spec, let autoencoder {
            encoder = try spec.makeEncoder(from: autoencoder, maxBatch: Reducer.inferenceBatch)
            decoder = try spec.makeDecoder(from: autoencoder, maxBatch: Reducer.inferenceBatch)
        }
        self.init(method: method, frame: data.frame, scaling: data.scaling, inputColumns: data.inputColumns,
                  features: data.features, latent: latent, keep: keep, split: data.split, spec: spec, encoder: encoder,
                  decoder: decoder, pca: pca)
    }

    /// Every part given (a reducer read back from its model file).
    public init(method: Method, frame: Preprocessor?, scaling: Preprocessor, inputColumns: [String], features: [String],
         latent: Int, keep: [String] = [], split: HeldOutSplit, spec: AutoencoderSpec?, encoder: MLP?, decoder: MLP?, pca: PCA?) {
        self.method = method
        self.frame = frame
        self.scaling = scaling
        self.inputColumns = inputColumns
        self.features = features
        self.latent = latent
        self.keep = keep
        kept = KeptFeatures(latent: latent, keep: keep, features: features)
        self.split = split
        self.spec = spec
        self.encoder = encoder
        self.decoder = decoder
        self.pca = pca
        packedEncoder = encoder.flatMap { PackedWeights($0) }
    }

    /// z0 … z(codes − 1), then the kept features' names.
    public var latentColumns: [String] { (0..<kept.codes).map { "z\($0)" } + keep }

    /// Preprocessed rows (k features) → latent rows (n). An encoder writes all n columns (its kept
    /// columns are then overwritten); PCA writes the codes, and the kept features are appended.
    public func encode(_ table: EventTable) -> EventTable {
        var out = EventTable(columns: latentColumns, rows: table.rows, firstRow: table.firstRow)
        let k = features.count
        if let pca, !kept.isEmpty {
            var codes = [Float](repeating: 0, count: table.rows * kept.codes)
            run(table.values, rows: table.rows, inWidth: k, into: &codes, outWidth: kept.codes, model: nil, packed: nil,
                linear: { x, n, y in pca.encode(x, rows: n, into: y) })
            codes.withUnsafeBufferPointer { c in
                table.values.withUnsafeBufferPointer { f in
                    out.values.withUnsafeMutableBufferPointer { kept.assemble(codes: c, features: f, featureWidth: k, rows: table.rows, into: $0) }
                }
            }
            return out
        }
        run(table.values, rows: table.rows, inWidth: k, into: &out.values, outWidth: latent,
            model: encoder, packed: packedEncoder, linear: pca.map { p in { x, n, y in p.encode(x, rows: n, into: y) } })
        if !kept.isEmpty {
            table.values.withUnsafeBufferPointer { f in
                out.values.withUnsafeMutableBufferPointer { kept.insert(features: f, featureWidth: k, rows: table.rows, into: $0) }
            }
        }
        return out
    }

    /// The reducer's own latent rows (`latentColumns`) → physical rows in the frame of the
    /// features, zero spikes restored: the one `RowMapping`, without latent standardisation.
    public func rowMapping(maxRows: Int = Reducer.inferenceBatch) throws -> RowMapping {
        try RowMapping(reducer: self, latentScaling: nil, zeros: zeros, ending: .rotationFrame(dropped: nil), maxRows: maxRows)
    }

    /// Latent rows (n) → preprocessed rows (k features). A decoder reads whole latent rows; PCA
    /// reads the codes. Kept features come back as the latent rows hold them.
    public func decode(_ table: EventTable) throws -> EventTable {
        try rowMapping().decodedFeatures(table)
    }

    /// Latent rows → rows in physical units (frame of the features), zero spikes restored.
    public func decodePhysical(_ latent: EventTable, seed: UInt64) throws -> EventTable {
        try rowMapping().physical(latent, seed: seed)
    }

    /// Preprocessed rows → reconstructed rows in physical units (frame of the features).
    public func reconstruct(_ table: EventTable, seed: UInt64) throws -> EventTable {
        try decodePhysical(encode(table), seed: seed)
    }

    /// Calibrates the zero thresholds on the training rows (all ranks take part).
    public func calibrateZeros(train: EventTable, physical real: EventTable, seed: UInt64, comm: Communicator) throws {
        zeros = ZeroCalibration()
        let rebuilt = try reconstruct(train, seed: seed)
        zeros = try ZeroCalibration.fit(real: real, rebuilt: rebuilt, comm: comm, sequences: ZeroCalibration.orderedSequences(scaling))
    }

    private func run(_ x: [Float], rows: Int, inWidth: Int, into y: inout [Float], outWidth: Int, model: MLP?,
                     packed: PackedWeights?, linear: ((UnsafeBufferPointer<Float>, Int, UnsafeMutableBufferPointer<Float>) -> Void)?) {
        var start = 0
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                while start < rows {
                    let n = min(Reducer.inferenceBatch, rows - start)
                    let src = UnsafeBufferPointer(rebasing: xs[(start * inWidth)..<((start + n) * inWidth)])
                    let dst = UnsafeMutableBufferPointer(rebasing: ys[(start * outWidth)..<((start + n) * outWidth)])
                    if let model {
                        let out = model.forward(src, batch: n, packed: packed)
                        _ = dst.update(fromContentsOf: out)
                    } else if let linear {
                        linear(src, n, dst)
                    }
                    start += n
                }
            }
        }
    }
}
