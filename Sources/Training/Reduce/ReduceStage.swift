import Comm
import EventStore
import Foundation
import NN
import Support

/// The reduce stage: seed → shard → model → loop → evaluate → save, for the autoencoder or PCA.
public enum ReduceStage {
    /// Trains (or resumes) the reducer of `s` on every rank of `comm` and writes RUN/model.h5,
    /// latent.h5, reconstruction.json, config.toml and heldout.h5 (the rows it never trained on).
    public static func run(_ s: ReduceSettings, comm: Communicator, console: Console) throws {
        try comm.agree {
            guard comm.isRoot else { return }
            try ReduceStage.refuseDifferent(s)
            try OutputPath((s.out as NSString).appendingPathComponent("model.h5")).prepare()
        }
        let record = StopRecord(directory: s.out, stage: "reduce")
        let data = try PreparedData.load(path: s.data, dataset: s.dataset, columns: s.columns, rotate: s.rotate,
                                         split: HeldOutSplit(fraction: s.holdout, seed: s.seed),
                                         dropNonFinite: s.dropNonFinite, seed: s.seed, comm: comm, representation: s.representation,
                                         roles: s.roles)
        try comm.agree { try ReduceStage.checkLatent(s.latent, keep: s.keep, features: data.features) }
        let kept = s.keep.isEmpty ? "" : " (\(s.latent - s.keep.count) codes + kept \(s.keep.joined(separator: ",")))"
        console.line("reduce: \(s.method.rawValue) \(data.features.count) → \(s.latent)\(kept) on \(data.trainTotal) training rows, "
                     + "\(comm.size) rank(s)")
        if s.method == .ae && s.batch > data.trainTotal {
            // AutoencoderRun trains on min(batch, training rows): say so instead of clipping silently.
            console.line("note: batch \(s.batch) is larger than the \(data.trainTotal) training rows; clipped to \(data.trainTotal) "
                         + "(every training row in each step)")
        }
        let (reducer, state) = s.method == .ae
            ? try AutoencoderRun.train(data: data, settings: s, comm: comm, console: console)
            : (try ReduceStage.fitPCA(data, settings: s, comm: comm), nil)
        try reducer.calibrateZeros(train: data.train, physical: data.trainPhysical, seed: s.seed, comm: comm)
        let modelPath = (s.out as NSString).appendingPathComponent("model.h5")
        try comm.agree { if comm.isRoot { try reducer.save(to: modelPath, config: s.toml, seed: s.seed, training: state) } }
        let report = try ReconstructionReport.evaluate(reducer, data: data, seed: s.seed, comm: comm)
        try ReduceStage.save(reducer, report: report, data: data, settings: s, comm: comm, console: console)
        let heldOut = (s.out as NSString).appendingPathComponent(HeldOutTable.fileName)
        let rows = try HeldOutTable.write(source: s.data, dataset: s.dataset, dropNonFinite: s.dropNonFinite,
                                          split: data.split, to: heldOut, comm: comm)
        comm.clearing(record)
        console.line("held-out rows (never trained on): \(rows) rows of \(s.data) -> \(heldOut); evaluate generated events "
                     + "against this file")
    }

    public static func checkLatent(_ latent: Int, keep: [String], features: [String]) throws {
        guard latent < features.count else {
            throw InputError("latent = \(latent) must be smaller than the number of features (\(features.count): "
                             + "\(features.joined(separator: ", "))); choose n < \(features.count)", exitCode: ExitStatus.usage)
        }
        for name in keep { _ = try Representation.featureIndex(name, option: "keep", features: features, noun: "feature") }
    }

    public static func fitPCA(_ data: PreparedData, settings s: ReduceSettings, comm: Communicator) throws -> Reducer {
        let k = data.features.count
        var moments = data.train.values.withUnsafeBufferPointer { PCA.moments($0, rows: data.train.rows, features: k) }
        try comm.allreduce(&moments, op: .sum)
        let pca = try PCA(moments: moments, features: k, components: s.latent - s.keep.count)
        return try Reducer(method: .pca, data: data, latent: s.latent, keep: s.keep, spec: nil, autoencoder: nil, pca: pca)
    }

    /// RUN/latent.h5 (every row, file order), RUN/reconstruction.json, RUN/config.toml, and the KS table.
    public static func save(_ reducer: Reducer, report: ReconstructionReport?, data: PreparedData, settings s: ReduceSettings,
                     comm: Communicator, console: Console) throws {
        let run = s.out as NSString
        var all = try reducer.scaling.forward(data.framed, seed: s.seed &+ 2)
        all.firstRow = data.framed.firstRow
        try EventWriter.write(reducer.encode(all), to: run.appendingPathComponent("latent.h5"), attributes: [
            ("reducer", .string(s.out)), ("method", .string(s.method.rawValue)), ("source", .string(s.data)),
            ("holdout_fraction", .string(String(s.holdout))), ("split_seed", .int(Int64(bitPattern: s.seed))),
        ], comm: comm)
        try comm.agree {
            guard comm.isRoot, let report else { return }
            try OutputPath(run.appendingPathComponent("reconstruction.json"))
                .write(text: report.json(method: s.method, latent: s.latent))
            try OutputPath(run.appendingPathComponent("config.toml")).write(text: s.toml)
        }
        guard let report else { return }
        console.line("reconstruction KS per column on the \(report.rows) held-out rows:")
        console.line(report.ks.formattedTable())
        console.line("mean KS \(String(format: "%.4f", report.meanKS)) (\(s.method.rawValue), \(data.features.count) → \(s.latent)); "
                     + "model \(run.appendingPathComponent("model.h5")), latent table \(run.appendingPathComponent("latent.h5"))")
    }
}
