import EventStore
import NN
import Support

extension RowMapping {
    /// Latent space through `reducer` (its decoder copied for `maxRows`, its kept features and
    /// scaling); `latentScaling` nil: the reducer's own latent rows.
    public convenience init(reducer: Reducer, latentScaling: Preprocessor?, zeros: ZeroCalibration = ZeroCalibration(),
                            ending: Ending, maxRows: Int) throws {
        try self.init(latentScaling: latentScaling, decoder: try RowMapping.decoder(of: reducer, maxRows: maxRows),
                      latentColumns: reducer.latentColumns, kept: reducer.kept, scaling: reducer.scaling, zeros: zeros,
                      ending: ending, maxRows: maxRows)
    }

    /// The reducer's decoder: a copy of its MLP taking `maxRows` rows, or its PCA.
    public static func decoder(of reducer: Reducer, maxRows: Int) throws -> Decoder? {
        if let mlp = try reducer.trainableDecoder(maxBatch: maxRows) { return .mlp(mlp) }
        return reducer.pca.map { .pca($0) }
    }
}
