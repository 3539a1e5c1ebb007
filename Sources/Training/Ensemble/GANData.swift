import Comm
import EventStore
import Foundation
import NN
import Physics
import Support

/// What a GAN restart trains on and is scored against, for either space:
/// - full: the k preprocessed features (rotation frame, smeared integers, standardised);
/// - latent: the reducer's codes of the same rows, standardised per code (`latentScaling`).
/// Real rows in physical units stay in the rotation frame (mu2_py = 0 by construction), where
/// snapshots are scored: the frame's inverse only adds a uniformly random azimuth to every event,
/// which would wash out phi_miss and the px/py columns.
public struct GANData {
    public var space: GANSettings.Space
    public var prepared: PreparedData
    public var reducer: Reducer?
    public var latentScaling: Preprocessor?
    /// Local rows the generator learns, and their global count.
    public var train: EventTable
    public var trainTotal: Int
    /// The spiked feature columns of the training rows (ZeroCalibration.spikes).
    public var zeroSpikes: [ZeroCalibration.Spike] = []
    /// Which columns play the physics roles the score quantities are computed from.
    public var roles = ColumnRoles()

    /// Columns of the generator's output.
    public var outputColumns: [String] { train.columns }
    /// Physical columns in the rotation frame: the features, plus the rotated-away mu2_py role's column (zeros).
    public var frameColumns: [String] { RowMapping.frameColumns(features: prepared.features, dropped: prepared.frameColumn) }

    public static func load(_ s: GANSettings, comm: Communicator) throws -> GANData {
        if s.space == .latent, let path = s.reducerModel {
            let reducer = try comm.agree { () -> Reducer in
                let reducer = try Reducer.load(path: path)
                if !(s.activeRegression.isEmpty && !s.mmdActive) && !reducer.scaling.isDifferentiable {
                    let step = reducer.scaling.steps.first { ![.pairMass, .pairPt, .ordered].contains($0.kind) && !$0.kind.isElementwise }
                    throw InputError("reducer '\(path)' uses \(step?.kind.rawValue ?? "a step without a derivative"), and the "
                                     + "regression and MMD terms cannot be differentiated through it; set regression = [] and mmd = []",
                                     exitCode: ExitStatus.usage)
                }
                return reducer
            }
            let fitted = PreparedData.Fitted(frame: reducer.frame, scaling: reducer.scaling, inputColumns: reducer.inputColumns,
                                             features: reducer.features, owner: "reducer '\(path)'")
            let prepared = try PreparedData.load(path: s.data, dataset: s.dataset, columns: reducer.inputColumns, rotate: nil,
                                                 split: reducer.split, dropNonFinite: s.dropNonFinite, seed: s.seed,
                                                 comm: comm, fitted: fitted, roles: s.roles)
            let codes = reducer.encode(prepared.train)
            var scaling = Preprocessor(steps: [.standardize(reducer.latentColumns)])
            try scaling.fit(codes, comm: comm, seed: s.seed)
            var train = try scaling.forward(codes, seed: s.seed)
            train.firstRow = prepared.train.firstRow
            return GANData(space: .latent, prepared: prepared, reducer: reducer, latentScaling: scaling, train: train,
                           trainTotal: prepared.trainTotal,
                           zeroSpikes: ZeroCalibration.ordered(try ZeroCalibration.spikes(prepared.trainPhysical, comm: comm),
                                                               ZeroCalibration.orderedSequences(reducer.scaling)), roles: s.roles)
        }
        let columns = try s.columns ?? EventReader.describe(path: s.data, dataset: s.dataset, comm: comm).columns
        let prepared = try PreparedData.load(path: s.data, dataset: s.dataset, columns: columns, rotate: s.rotate,
                                             split: HeldOutSplit(fraction: s.holdout, seed: s.seed),
                                             dropNonFinite: s.dropNonFinite, seed: s.seed, comm: comm,
                                             representation: s.representation, roles: s.roles)
        return GANData(space: .full, prepared: prepared, reducer: nil, latentScaling: nil, train: prepared.train,
                       trainTotal: prepared.trainTotal,
                       zeroSpikes: ZeroCalibration.ordered(try ZeroCalibration.spikes(prepared.trainPhysical, comm: comm),
                                                           ZeroCalibration.orderedSequences(prepared.scaling)), roles: s.roles)
    }

    /// Generator output rows → physical rows in the rotation frame (`frameColumns`), before any
    /// zero calibration (the scorer fits the snapshot's own, `ZeroCalibration.matching`): the map
    /// scoring and the regression terms share, its workspaces sized for `maxRows` rows.
    public func rowMapping(maxRows: Int) throws -> RowMapping {
        let ending = RowMapping.Ending.rotationFrame(dropped: prepared.frameColumn)
        if let reducer, let latentScaling {
            return try RowMapping(reducer: reducer, latentScaling: latentScaling, ending: ending, maxRows: maxRows)
        }
        return try RowMapping(latentScaling: nil, decoder: nil, scaling: prepared.scaling, ending: ending, maxRows: maxRows)
    }

    /// The score quantities for these columns (`ScoreChoice`): the requested ones, a refusal of an
    /// explicit score they cannot give, or the default score's fallback with its note.
    public func scoreChoice(_ s: GANSettings) throws -> ScoreChoice {
        try ScoreChoice.resolveAll(requested: s.score, isDefault: s.scoreIsDefault, weights: s.scoreWeights,
                                   frameColumns: frameColumns, features: prepared.features, data: s.data,
                                   roles: s.roles)
    }
}
