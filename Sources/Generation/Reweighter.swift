import Comm
import EventStore
import Foundation
import NN
import Physics
import Support

/// DCTR-style reweighting of generated events: a classifier D trained to tell real events (label 1)
/// from the selected generator's events (label 0), in equal numbers, estimates p_real/p_gen as
/// D/(1 − D) = exp(logit). Each generated event gets w = exp(logit), clipped to
/// [1/maximumWeight, maximumWeight], divided by the mean of the clipped weights over the
/// classifier's own generated sample (so the weights have mean 1 there, and ≈ 1 over any large
/// output). The classifier sees every column and every derived quantity the columns allow, with
/// transverse momenta in the frame of mu2's azimuth (`Reweighter+Frame`); which columns are mu2's
/// px and py and feed the derived quantities is said by the column roles (`ColumnRoles`).
///
/// Trained by rank 0 (one process, fixed batch order: deterministic for a seed) on the first
/// `rows` rows of the real table and `rows` generated events of the seed's own stream
/// (`trainingSeed`); its parameters, feature scaling and normalisation are broadcast, so every
/// rank weighs with the same bits. An event's weight depends only on the event: the shards are
/// bitwise the same for any rank count.
public final class Reweighter {
    /// Weights are clipped to [1/maximumWeight, maximumWeight] before normalising.
    public static let maximumWeight = 20.0
    public static let settings = BinaryClassifier.Settings(epochs: 10, batch: 256, hidden: [64, 64], learningRate: 1e-3)
    /// The column the weights go to in every shard.
    public static let column = "weight"

    /// The quantities the classifier sees (the generator's columns, then derived quantities).
    public let names: [String]
    /// Which columns play the physics roles (the frame's reference, the derived quantities' inputs).
    public let roles: ColumnRoles
    public let classifier: BinaryClassifier
    public let scaling: FeatureScaling
    /// Mean of the clipped weights over the training sample's generated events.
    public let normalisation: Double
    /// Rows of each class it was trained on.
    public let rows: Int

    init(names: [String], roles: ColumnRoles, classifier: BinaryClassifier, scaling: FeatureScaling, normalisation: Double,
         rows: Int) {
        self.names = names
        self.roles = roles
        self.classifier = classifier
        self.scaling = scaling
        self.normalisation = normalisation
        self.rows = rows
    }

    /// The generated events' seed: the run's seed with its own offset ("RWGT"), so the training
    /// sample is not the output's first events.
    public static func trainingSeed(_ seed: UInt64) -> UInt64 { seed ^ 0x5257_4754_0000_0000 }

    /// Trains on `real` (rank 0's gathered real rows in `model.columns`, nil elsewhere) and
    /// broadcasts the result. `seed` is the generate seed; `roles` must be the same on every rank.
    public static func train(real: EventTable?, model: GeneratorModel, rows: Int, seed: UInt64, roles: ColumnRoles = ColumnRoles(),
                             comm: Communicator) throws -> Reweighter {
        let columns = model.columns.filter { $0 != column }
        let names = quantities(columns, roles: roles)
        var settings = Reweighter.settings
        settings.seed = seed
        let classifier = try BinaryClassifier(width: names.count, settings: settings)
        var scalars = [Double](repeating: 0, count: 2 * names.count + 2)
        try comm.agree {
            guard comm.isRoot, let real else { return }
            let n = min(rows, real.rows)
            guard n >= 10 else {
                throw InputError("--reweight needs at least 10 real events to train on, found \(real.rows)", exitCode: ExitStatus.dataError)
            }
            var generated = EventTable(columns: columns, rows: n)
            try model.generate(rows: 0..<n, seed: trainingSeed(seed)) { values, range in
                generated.values.withUnsafeMutableBufferPointer { out in
                    for i in 0..<values.count { out[range.lowerBound * columns.count + i] = values[i] }
                }
            }
            var x = try matrix(real, names: names, rows: n, roles: roles) + matrix(generated, names: names, rows: n, roles: roles)
            let scaling = FeatureScaling(fitting: x, rows: 2 * n, width: names.count)
            scaling.apply(&x)
            let trained = try BinaryClassifier.train(x: x, width: names.count, rows: Array(0..<(2 * n)), isPositive: { $0 < n },
                                                     settings: settings)
            for i in 0..<classifier.model.parameterCount { classifier.model.parameters[i] = trained.model.parameters[i] }
            let logits = classifier.logits(x, rows: Array(n..<(2 * n)))
            let mean = logits.reduce(0) { $0 + clipped($1) } / Double(n)
            scalars = scaling.mean + scaling.scale + [mean, Double(n)]
        }
        try comm.broadcast(&scalars)
        try comm.broadcast(classifier.model.parameters)
        let k = names.count
        return Reweighter(names: names, roles: roles, classifier: classifier,
                          scaling: FeatureScaling(mean: Array(scalars[0..<k]), scale: Array(scalars[k..<(2 * k)])),
                          normalisation: scalars[2 * k], rows: Int(scalars[2 * k + 1]))
    }

    /// exp(logit) clipped to [1/maximumWeight, maximumWeight].
    public static func clipped(_ logit: Double) -> Double {
        let bound = log(maximumWeight)
        return exp(min(max(logit, -bound), bound))
    }

    /// The normalised weights of `n` events (`columns`, row-major).
    public func weights(_ values: UnsafeBufferPointer<Float>, rows n: Int, columns: [String]) throws -> [Double] {
        let table = EventTable(columns: columns, rows: n, values: Array(values[0..<(n * columns.count)]))
        var x = try Reweighter.matrix(table, names: names, rows: n, roles: roles)
        scaling.apply(&x)
        return classifier.logits(x, rows: Array(0..<n)).map { Reweighter.clipped($0) / normalisation }
    }
}
