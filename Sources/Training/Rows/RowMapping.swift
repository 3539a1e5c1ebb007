import EventStore
import Foundation
import NN
import Support

/// The one map from a generator's output rows to physical rows, for every place that needs it:
/// snapshot scoring (`SnapshotScorer`), generation (`GeneratorModel`), the GAN's regression terms
/// (`RegressionPath`), the autoencoder's derived-quantity terms (`DerivedLoss`) and the reducer's
/// own decoding (`Reducer.decode`, `Reducer.decodePhysical`). In order:
/// 1. latent space only: the latent standardisation's inverse (a GAN's codes; a reducer's own
///    rows have none), the decoder (an MLP reading whole latent rows, or PCA reading the codes
///    alone) and the kept features restored from the latent rows (`KeptFeatures`);
/// 2. the scaling's inverse (every preprocessing step: standardisation, log1p, quantile, zero
///    spike, pair mass, the integer columns' floor), per-row random streams keyed by the global row;
/// 3. the zero calibration (values below a column's threshold become exact zeros; empty: none);
/// 4. the ending (`Ending`): the rotation frame, or the table's own columns with the frame restored.
///
/// `physical` runs on packed weights (`DenseKernel`) and allocates nothing per call;
/// `physicalWithDerivative` and `backward` (RowMapping+Derivative.swift) are the same map with its
/// Jacobian for the training losses. Workspaces are sized once for `maxRows` rows; the
/// rows a call returns stay valid until the next call. Not thread-safe: one mapping per thread.
public final class RowMapping {
    public enum Decoder {
        case mlp(MLP)
        case pca(PCA)
    }

    /// Where the rows end.
    public enum Ending {
        /// The rotation frame (`frameColumns`): the features, then the rotated-away column (the
        /// mu2_py role's, `dropped`) = 0 when the events were rotated. No random azimuth: it would wash out phi_miss and the px/py columns that scores
        /// compare, and it has no per-value derivative. Scoring and the training losses end here.
        case rotationFrame(dropped: String?)
        /// The table's own `columns` in file order: the features placed into the frame's output
        /// layout (or straight into `columns` without a frame), then the frame's inverse (mu2_py
        /// restored, a uniformly random azimuth per event from its own stream). Generation ends here.
        case restored(frame: Preprocessor?, columns: [String])
    }

    /// The stages of `physical`, for a caller that times them (`GeneratorModel.stages`).
    public enum Stage { case latentInverse, decoder, scalingInverse, placement, frame }

    public let latentScaling: Preprocessor?
    public let decoder: Decoder?
    /// Features the reducer carries through its latent space (nil: none).
    public let kept: KeptFeatures?
    public let scaling: Preprocessor
    public let ending: Ending
    /// Columns of the generator's output (the input rows), of the features, and of the rows returned.
    public let inputColumns: [String]
    public let features: [String]
    public let columns: [String]
    public let maxRows: Int
    /// Called after each stage of `physical` when set (no allocation: the closure is stored once).
    public var lap: ((Stage) -> Void)?
    /// Rows per sweep of a packed MLP decoder (`DenseKernel.sweepRows`); any value gives the same bits.
    public var sweepRows = DenseKernel.sweepRows {
        didSet { precondition(sweepRows > 0, "a sweep needs at least one row") }
    }
    /// An MLP decoder's weights packed for `DenseKernel` (nil: OpenBLAS).
    let packed: PackedWeights?
    /// Zero calibration by feature index.
    let zeros: [ZeroCalibration.Bound]
    /// `.restored`: feature j goes to position `placement[j]` of the frame's (or the output's) layout.
    private let placement: [Int]
    /// Row stride of the two chunk buffers: the widest layout along the map.
    let stride: Int
    let work: FloatStorage, staged: FloatStorage
    /// The codes alone, for a PCA decoder when features are kept (an MLP decoder reads whole latent rows).
    let codeRows: FloatStorage
    /// The derivative path's Jacobians and gradients (RowMapping+Derivative.swift).
    let latentDerivative: FloatStorage, featureDerivative: FloatStorage, featureMixing: FloatStorage
    let featureGradient: FloatStorage, latentGradient: FloatStorage

    /// Full space without a decoder (the output rows are the preprocessed features); latent space
    /// with one, the output rows standardised by `latentScaling` or, without it, a reducer's own
    /// latent rows (`latentColumns`). An MLP decoder is the mapping's own (its buffers and batch
    /// ≥ `maxRows`; `Reducer.trainableDecoder` makes one).
    public init(latentScaling: Preprocessor?, decoder: Decoder?, latentColumns: [String] = [], kept: KeptFeatures? = nil,
                scaling: Preprocessor, zeros: ZeroCalibration = ZeroCalibration(), ending: Ending, maxRows: Int) throws {
        precondition(maxRows > 0, "maxRows must be positive")
        precondition(decoder != nil || latentScaling == nil, "a latent scaling needs a decoder")
        precondition(decoder == nil || latentScaling != nil || !latentColumns.isEmpty, "latent rows need their columns")
        if case .mlp(let mlp)? = decoder { precondition(mlp.maxBatch >= maxRows, "the decoder must take batches of \(maxRows) rows") }
        self.latentScaling = latentScaling
        self.decoder = decoder
        self.kept = kept?.nonEmpty
        self.scaling = scaling
        self.ending = ending
        self.maxRows = maxRows
        if case .mlp(let mlp)? = decoder { packed = PackedWeights(mlp) } else { packed = nil }
        let features = scaling.inputColumns
        self.features = features
        inputColumns = latentScaling?.outputColumns ?? (decoder != nil ? latentColumns : scaling.outputColumns)
        var frameWidth = 0
        switch ending {
        case .rotationFrame(let dropped):
            columns = RowMapping.frameColumns(features: features, dropped: dropped)
            placement = []
        case .restored(let frame, let columns):
            self.columns = columns
            frameWidth = frame?.maximumWidth ?? 0
            placement = try RowMapping.placement(features, layout: frame?.outputColumns ?? columns)
        }
        self.zeros = zeros.bound(to: features)
        stride = [inputColumns.count, latentScaling?.maximumWidth ?? 0, scaling.maximumWidth, frameWidth, columns.count].max() ?? 1
        work = FloatStorage(count: maxRows * stride)
        staged = FloatStorage(count: maxRows * stride)
        codeRows = FloatStorage(count: maxRows * max(1, self.kept?.codes ?? 1))
        latentDerivative = FloatStorage(count: maxRows * inputColumns.count)
        featureDerivative = FloatStorage(count: maxRows * stride)
        featureMixing = FloatStorage(count: maxRows * scaling.mixingWidth)
        featureGradient = FloatStorage(count: maxRows * features.count)
        latentGradient = FloatStorage(count: maxRows * inputColumns.count)
    }

    /// Real rows of the rotation frame with the zero `dropped` column (the mu2_py role's) appended
    /// when rotated (the layout `RowMapping` ends generated rows in for scoring and the training losses).
    public static func appendingFrameColumn(_ table: EventTable, dropped: String?) -> EventTable {
        guard dropped != nil else { return table }
        var out = EventTable(columns: frameColumns(features: table.columns, dropped: dropped), rows: table.rows,
                             firstRow: table.firstRow)
        let (k, w) = (table.width, out.width)
        table.values.withUnsafeBufferPointer { f in
            out.values.withUnsafeMutableBufferPointer { pad(f, width: k, into: $0, width: w, rows: table.rows) }
        }
        return out
    }

    /// The rotation frame's columns: the features, plus the rotated-away column (zeros) when rotated.
    public static func frameColumns(features: [String], dropped: String?) -> [String] {
        features + (dropped.map { [$0] } ?? [])
    }

    private static func placement(_ features: [String], layout: [String]) throws -> [Int] {
        let placement = try features.map { name in
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
        return placement
    }

    public var width: Int { columns.count }

    /// `rows` (≤ `maxRows`) output rows, global rows `firstRow…` (they key the per-row random
    /// streams of the inverse preprocessing and the azimuth) → `rows × width` physical values.
    public func physical(_ output: UnsafeBufferPointer<Float>, rows n: Int, firstRow: Int, seed: UInt64) throws
        -> UnsafeBufferPointer<Float> {
        precondition(n >= 0 && n <= maxRows, "\(n) rows outside 0...\(maxRows)")
        let buffer = work.view(0, n * stride)
        if decoder != nil {
            let codes = staged.view(0, n * stride)
            var m = inputColumns.count
            if let latentScaling {
                try latentScaling.inverse(output, into: codes, rows: n, firstRow: firstRow, seed: seed)
                m = latentScaling.inputColumns.count
            } else {
                _ = codes.update(fromContentsOf: UnsafeBufferPointer(rebasing: output[0..<(n * m)]))
            }
            lap?(.latentInverse)
            decode(UnsafeBufferPointer(rebasing: codes[0..<(n * m)]), rows: n, into: buffer, packed: packed)
            lap?(.decoder)
            try scaling.inverse(into: buffer, rows: n, firstRow: firstRow, seed: seed)
        } else {
            try scaling.inverse(output, into: buffer, rows: n, firstRow: firstRow, seed: seed)
        }
        lap?(.scalingInverse)
        let k = features.count
        ZeroCalibration.apply(zeros, to: buffer, rows: n, width: k)
        let placed = staged.view(0, n * stride)
        switch ending {
        case .rotationFrame:
            RowMapping.pad(UnsafeBufferPointer(buffer), width: k, into: placed, width: width, rows: n)
            lap?(.placement)
        case .restored(let frame, _):
            // Features → the frame's input layout (or the output order), then the frame's inverse.
            let layoutWidth = frame?.outputColumns.count ?? width
            for r in 0..<n {
                for j in 0..<k { placed[r * layoutWidth + placement[j]] = buffer[r * k + j] }
            }
            lap?(.placement)
            try frame?.inverse(into: placed, rows: n, firstRow: firstRow, seed: seed)
            lap?(.frame)
        }
        return UnsafeBufferPointer(rebasing: placed[0..<(n * width)])
    }

    /// Latent rows `z` (rows × n) → preprocessed features (rows × k) at the start of `f`: the
    /// decoder (an MLP reads whole latent rows, PCA the codes alone), then the kept features
    /// replaced by the latent rows' values. `packed`: nil runs the MLP through OpenBLAS (the
    /// derivative path, whose backward pass reads the forward's layer outputs either way).
    func decode(_ z: UnsafeBufferPointer<Float>, rows n: Int, into f: UnsafeMutableBufferPointer<Float>, packed: PackedWeights?) {
        guard n > 0 else { return }
        switch (decoder, kept) {
        case (.mlp(let mlp)?, _):
            let step = packed == nil ? n : sweepRows, inWidth = mlp.inputWidth, outWidth = mlp.outputWidth
            for r0 in Swift.stride(from: 0, to: n, by: step) {
                let m = min(step, n - r0)
                let out = mlp.forward(UnsafeBufferPointer(rebasing: z[(r0 * inWidth)..<((r0 + m) * inWidth)]), batch: m, packed: packed)
                (f.baseAddress! + r0 * outWidth).update(from: out.baseAddress!, count: m * outWidth)
            }
        case (.pca(let pca)?, nil):
            pca.decode(z, rows: n, into: f)
        case (.pca(let pca)?, let kept?):
            let c = codeRows.view(0, n * kept.codes)
            kept.codes(of: z, rows: n, into: c)
            pca.decode(UnsafeBufferPointer(c), rows: n, into: f)
        case (nil, _):
            preconditionFailure("decode needs a decoder")
        }
        kept?.restore(f, featureWidth: features.count, from: z, rows: n)
    }

    /// frame[r, j] = features[r, j] for j < k, 0 for k ≤ j < w (the rotated-away columns).
    static func pad(_ features: UnsafeBufferPointer<Float>, width k: Int, into frame: UnsafeMutableBufferPointer<Float>,
                    width w: Int, rows: Int) {
        for r in 0..<rows {
            for j in 0..<k { frame[r * w + j] = features[r * k + j] }
            for j in k..<w { frame[r * w + j] = 0 }
        }
    }
}
