import Comm
import EventStore
import Foundation
import NN
import Support

extension Reweighter {
    /// Trains on `real` (rank 0's gathered real rows in `model.columns`, nil elsewhere) and
    /// broadcasts the result. `seed` is the generate seed; `roles` must be the same on every rank.
    ///
    /// With a held-out fraction, each class's rows are permuted by Philox(seed, class, "RWVL") and
    /// the last fraction is held out: training stops once the held-out cross-entropy has not improved
    /// for `patience` epochs and keeps the best epoch's parameters; with `calibrate`, a Platt fit
    /// (a·logit + b) on the held-out logits corrects an over- or under-confident classifier, whose
    /// exp(logit) would otherwise exaggerate or flatten the density ratio. With a minimum ESS, the
    /// calibrated logits are then tempered until the held-out generated events' weights reach it.
    public static func train(real: EventTable?, model: GeneratorModel, rows: Int, seed: UInt64, roles: ColumnRoles = ColumnRoles(),
                             settings: Settings = standard, comm: Communicator) throws -> Reweighter {
        let columns = model.columns.filter { $0 != column }
        let all = quantities(columns, roles: roles)
        let excluded = hidden(settings, quantities: all, columns: columns, roles: roles)
        let names = all.filter { !excluded.contains($0) }
        try comm.agree {
            let unknown = excluded.filter { !all.contains($0) }
            guard unknown.isEmpty else {
                throw InputError("--reweight-exclude: \(unknown.joined(separator: ", ")) is not among the reweighting classifier's "
                                 + "quantities (\(all.joined(separator: ", "))); name some of those", exitCode: ExitStatus.usage)
            }
            guard !names.isEmpty else {
                throw InputError("--reweight-exclude leaves the reweighting classifier no quantity to see; keep at least one of "
                                 + all.joined(separator: ", "), exitCode: ExitStatus.usage)
            }
        }
        var classifierSettings = settings.classifier
        classifierSettings.seed = seed
        let classifier = try BinaryClassifier(width: names.count, settings: classifierSettings)
        var scalars = [Double](repeating: 0, count: 2 * names.count + 7)
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
            let fit = try fitClassifier(x, rows: n, width: names.count, settings: settings, classifierSettings: classifierSettings)
            for i in 0..<classifier.model.parameterCount { classifier.model.parameters[i] = fit.classifier.model.parameters[i] }
            let logits = classifier.logits(x, rows: Array(n..<(2 * n)))
            let target = fit.heldOutGenerated.isEmpty ? logits : classifier.logits(x, rows: fit.heldOutGenerated)
            let t = tempering(target.map { fit.calibration.scale * $0 + fit.calibration.offset }, minimumESS: settings.minimumESS,
                              maximumWeight: settings.maximumWeight)
            let calibration = (t * fit.calibration.scale, t * fit.calibration.offset)
            let calibrated = Reweighter(names: names, roles: roles, classifier: classifier, scaling: scaling, calibration: calibration,
                                        maximumWeight: settings.maximumWeight, normalisation: 1, rows: n, epochs: fit.epochs,
                                        validationLoss: fit.loss)
            let mean = logits.reduce(0) { $0 + calibrated.unnormalised($1) } / Double(n)
            scalars = scaling.mean + scaling.scale
                + [mean, Double(n), calibration.0, calibration.1, Double(fit.epochs), fit.loss, t]
        }
        try comm.broadcast(&scalars)
        try comm.broadcast(classifier.model.parameters)
        let k = names.count
        return Reweighter(names: names, roles: roles, classifier: classifier,
                          scaling: FeatureScaling(mean: Array(scalars[0..<k]), scale: Array(scalars[k..<(2 * k)])),
                          calibration: (scalars[2 * k + 2], scalars[2 * k + 3]), tempering: scalars[2 * k + 6],
                          maximumWeight: settings.maximumWeight,
                          normalisation: scalars[2 * k], rows: Int(scalars[2 * k + 1]), epochs: Int(scalars[2 * k + 4]),
                          validationLoss: scalars[2 * k + 5])
    }

    /// The quantities the classifier does not see: those named, or by default the columns playing
    /// the `onShellEnergies` roles (when they are among `quantities`).
    static func hidden(_ settings: Settings, quantities: [String], columns: [String], roles: ColumnRoles) -> [String] {
        settings.excluded ?? onShellEnergies.compactMap { roles.column($0, in: columns) }.filter { quantities.contains($0) }
    }

    /// Trains on the standardised rows `x` (n real, then n generated): on all of them for every
    /// epoch without a held-out split, else with early stopping on it (`BinaryClassifier.trainEarlyStopped`,
    /// the loop evaluate's classifier test uses) and (optionally) calibration on it.
    static func fitClassifier(_ x: [Float], rows n: Int, width k: Int, settings: Settings, classifierSettings s: BinaryClassifier.Settings)
        throws -> (classifier: BinaryClassifier, calibration: (scale: Double, offset: Double), epochs: Int, loss: Double,
                   heldOutGenerated: [Int]) {
        let held = settings.validationFraction > 0 ? max(1, min(n - 1, Int(Double(n) * settings.validationFraction))) : 0
        guard held > 0 else {
            let c = try BinaryClassifier.train(x: x, width: k, rows: Array(0..<(2 * n)), isPositive: { $0 < n }, settings: s)
            return (c, (1, 0), s.epochs, .nan, [])
        }
        var train: [Int] = [], test: [Int] = []
        for t in 0..<2 {
            var order = Array((t * n)..<((t + 1) * n))
            var rng = Philox(seed: s.seed, stream: UInt64(t), substream: 0x5257_564C)  // "RWVL"
            BinaryClassifier.shuffle(&order, &rng)
            train += order[..<(n - held)]
            test += order[(n - held)...]
        }
        let fit = try BinaryClassifier.trainEarlyStopped(x: x, width: k, train: train, validation: test, isPositive: { $0 < n },
                                                         patience: settings.patience, settings: s)
        let c = fit.classifier, epochs = fit.training.bestEpoch + 1
        let generated = test.filter { $0 >= n }
        guard settings.calibrate else { return (c, (1, 0), epochs, fit.training.validationLoss, generated) }
        let z = c.logits(x, rows: test), labels = test.map { $0 < n }
        let platt = plattFit(z, labels: labels)
        return (c, platt, epochs, crossEntropy(z, labels: labels, scale: platt.scale, offset: platt.offset), generated)
    }
}
