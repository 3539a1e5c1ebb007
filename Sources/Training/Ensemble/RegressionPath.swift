import Comm
import EventStore
import Foundation
import NN
import Physics
import Support

/// The paper's regression terms, generalised: for each derived quantity q of the generated batch in
/// physical units (rotation frame), c1·(mean(q) − μ)² + c2·(std(q) − σ)² with μ, σ from the
/// training data. The gradient flows from q back to the generator's output through the inverse
/// scaling and, in latent space, the decoder (a private copy, so the reducer stays untouched) and
/// the latent standardisation. Integer columns get no gradient (floor); zero calibration is not
/// part of the path. Workspaces are allocated once for `maxRows` rows.
public final class RegressionPath {
    private let terms: [MomentRegression]
    private let latentScaling: Preprocessor?
    private let decoder: MLP?
    private let pca: PCA?
    private let kept: KeptFeatures?
    private let scaling: Preprocessor
    private let outWidth: Int, featureWidth: Int, frameWidth: Int
    private let latent: FloatStorage, latentDerivative: FloatStorage
    private let features: FloatStorage, featureDerivative: FloatStorage
    private let physical: FloatStorage, physicalGradient: FloatStorage, featureGradient: FloatStorage
    /// With kept features: the codes alone (PCA's input) and the gradient by latent column.
    private let codeRows: FloatStorage, latentGradient: FloatStorage

    public init?(_ s: GANSettings, data: GANData, maxRows: Int, comm: Communicator) throws {
        guard !s.regression.isEmpty, s.c1 > 0 || s.c2 > 0 else { return nil }
        let frameColumns = data.frameColumns
        let realFrame = GANData.appendingFrameColumn(data.prepared.trainPhysical, rotated: data.prepared.frame != nil)
        terms = try s.regression.map { q in
            let columns = try q.inputs.map { name -> Int in
                guard let j = frameColumns.firstIndex(of: name) else {
                    throw InputError("regression quantity '\(q.rawValue)' needs column '\(name)', which the features "
                                     + "(\(frameColumns.joined(separator: ","))) lack; drop it from regression",
                                     exitCode: ExitStatus.usage)
                }
                return j
            }
            let target = try MomentRegression.targets(realFrame, quantity: q, comm: comm)
            return MomentRegression(quantity: q, columns: columns, width: frameColumns.count, targetMean: target.mean,
                                    targetStd: target.std, c1: s.c1, c2: s.c2, maxRows: maxRows)
        }
        latentScaling = data.latentScaling
        decoder = try data.reducer?.trainableDecoder(maxBatch: maxRows)
        pca = data.reducer?.pca
        kept = data.reducer?.kept.nonEmpty
        scaling = data.prepared.scaling
        outWidth = data.outputColumns.count
        featureWidth = data.prepared.features.count
        frameWidth = frameColumns.count
        latent = FloatStorage(count: maxRows * outWidth)
        latentDerivative = FloatStorage(count: maxRows * outWidth)
        features = FloatStorage(count: maxRows * max(featureWidth, scaling.maximumWidth))
        featureDerivative = FloatStorage(count: maxRows * max(featureWidth, scaling.maximumWidth))
        physical = FloatStorage(count: maxRows * frameWidth)
        physicalGradient = FloatStorage(count: maxRows * frameWidth)
        featureGradient = FloatStorage(count: maxRows * featureWidth)
        codeRows = FloatStorage(count: maxRows * max(1, kept?.codes ?? 1))
        latentGradient = FloatStorage(count: maxRows * outWidth)
    }

    /// Adds the regression terms' gradient for the local generated rows to `gradient` (same
    /// layout as `output`); returns the terms' total (the same on every rank of `comm`).
    public func apply(output: UnsafeBufferPointer<Float>, rows: Int, comm: Communicator,
               addingTo gradient: UnsafeMutableBufferPointer<Float>) throws -> Double {
        let k = featureWidth, n = outWidth, w = frameWidth
        // Forward: output → (latent → decoded) preprocessed features → physical features.
        if let latentScaling {
            _ = latent.buffer.update(fromContentsOf: UnsafeBufferPointer(rebasing: output[0..<(rows * n)]))
            try latentScaling.inverseWithDerivative(latent.view(0, rows * n), derivative: latentDerivative.view(0, rows * n), rows: rows)
            let z = UnsafeBufferPointer(latent.view(0, rows * n))
            if let decoder {
                _ = features.buffer.update(fromContentsOf: decoder.forward(z, batch: rows))
            } else if let pca {
                var codes = z
                if let kept {
                    kept.codes(of: z, rows: rows, into: codeRows.view(0, rows * kept.codes))
                    codes = UnsafeBufferPointer(codeRows.view(0, rows * kept.codes))
                }
                pca.decode(codes, rows: rows, into: features.view(0, rows * k))
            }
            kept?.restore(features.buffer, featureWidth: k, from: z, rows: rows)
        } else {
            _ = features.buffer.update(fromContentsOf: UnsafeBufferPointer(rebasing: output[0..<(rows * k)]))
        }
        try scaling.inverseWithDerivative(features.view(0, rows * k), derivative: featureDerivative.view(0, rows * k), rows: rows)
        FrameRows.pad(features.buffer, width: k, into: physical.buffer, width: w, rows: rows)
        physicalGradient.buffer.update(repeating: 0)
        var total = 0.0
        for term in terms {
            total += try term.apply(UnsafeBufferPointer(physical.view(0, rows * w)), rows: rows, comm: comm,
                                    into: physicalGradient.view(0, rows * w))
        }
        // Backward: physical → preprocessed features → (decoder → latent) → output.
        FrameRows.pullBack(physicalGradient.buffer, width: w, derivative: featureDerivative.buffer, into: featureGradient.buffer,
                           width: k, rows: rows)
        let gf = featureGradient.buffer
        guard latentScaling != nil else {
            for i in 0..<(rows * k) { gradient[i] += gf[i] }
            return total
        }
        // Kept features: their restored values' gradient goes straight to their latent columns; the
        // decoder (which reads whole latent rows) adds its own input gradient on top.
        let gl = latentGradient.buffer, codes = kept?.codes ?? n
        latentGradient.view(0, rows * n).update(repeating: 0)
        kept?.pullBack(gf, featureWidth: k, rows: rows, into: gl)
        if let decoder, rows > 0 {
            decoder.backward(UnsafeBufferPointer(featureGradient.view(0, rows * k)), batch: rows, parameterGradients: .skip,
                             inputGradient: true)
            let gz = decoder.inputGradient(batch: rows)
            for i in 0..<(rows * n) { gl[i] += gz[i] }
        } else if let pca {
            for r in 0..<rows {
                for c in 0..<codes {
                    var s = 0.0
                    for j in 0..<k { s += Double(gf[r * k + j]) * pca.axes[j * codes + c] }
                    gl[r * n + c] = Float(s)
                }
            }
        }
        let ld = latentDerivative.buffer
        for i in 0..<(rows * n) { gradient[i] += gl[i] * ld[i] }
        return total
    }
}
