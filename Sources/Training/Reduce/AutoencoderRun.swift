import Comm
import EventStore
import Foundation
import NN
import Support

/// Thrown after a stop signal once the checkpoint is safely written.
public struct CheckpointedStop: ReportableError {
    public let step: Int
    public let path: String
    public var exitCode: Int32 { ExitStatus.resumable }
    public var label: String { "stopped" }
    public var description: String { "a signal arrived; finished step \(step), wrote checkpoint \(path); rerun with --resume to continue" }
}

/// Thrown when the loss stops being finite.
public struct TrainingDiverged: ReportableError {
    public let step: Int
    public let loss: Double
    public let lastGood: (path: String, step: Int)?
    public var exitCode: Int32 { ExitStatus.software }
    public var description: String {
        "training stopped at step \(step): the loss is \(loss.isNaN ? "nan" : loss > 0 ? "inf" : "-inf"); "
            + (lastGood.map { "the last good checkpoint is \($0.path) (step \($0.step))" } ?? "no checkpoint was written yet")
            + "; lower the learning rate or check the input"
    }
}

/// The autoencoder training loop: model → broadcast → steps (checkpoint every K, stop on signals or
/// a non-finite loss) → final checkpoint. Returns the fitted reducer.
public enum AutoencoderRun {
    public static func train(data: PreparedData, settings s: ReduceSettings, comm: Communicator,
                      console: Console) throws -> (Reducer, TrainingState) {
        let spec = AutoencoderSpec(features: data.features.count, latent: s.latent, hidden: s.widths, slope: 0.2,
                                   keep: s.keep.isEmpty ? nil : KeptFeatures(latent: s.latent, keep: s.keep, features: data.features).indices)
        let model = try spec.makeModel(maxBatch: s.batch, seed: s.seed)
        try comm.broadcast(model.parameters)
        let optimizer = makeOptimizer(s.optimizer, parameters: model.parameterCount, lr: Float(s.lr))
        let batch = min(s.batch, data.trainTotal)
        let plan = ShardedBatches(total: data.trainTotal, shard: data.train.firstRow..<(data.train.firstRow + data.train.rows),
                                  batch: batch, seed: s.seed)
        let derived = s.derivedLoss.isEmpty ? nil
            : try DerivedLoss(quantities: s.derivedLoss, weight: s.derivedWeight, scaling: data.scaling,
                              realPhysical: data.trainPhysical, dropped: data.frameColumn, roles: s.roles,
                              maxRows: s.batch, comm: comm)
        // Worker threads each call a single-threaded OpenBLAS (a multi-threaded one under them
        // would oversubscribe the cores and synchronise every small product).
        if s.threads > 1 { BLAS.threads = 1 }
        let trainer = try AutoencoderTrainer(model: model, optimizer: optimizer, data: data.train, plan: plan, comm: comm,
                                             workerShards: s.threads > 1 ? data.trainShards(parts: s.threads) : [],
                                             derived: derived)
        let modelPath = (s.out as NSString).appendingPathComponent("model.h5")
        // --resume without a checkpoint yet starts at step 0, so a requeued job can always pass it.
        let found = try comm.broadcast(Int32(comm.isRoot && FileManager.default.fileExists(atPath: modelPath) ? 1 : 0)) != 0
        let resuming = s.resume && found
        if s.resume && !found { console.line("reduce: no checkpoint \(modelPath) yet; starting from step 0") }
        // The requeue guard compares a stop with the previous one of the same training only.
        if !resuming { comm.clearing(StopRecord(directory: s.out, stage: "reduce")) }
        let start = resuming ? try restore(modelPath, model: model, optimizer: optimizer, comm: comm) : 0
        if resuming { console.line("reduce: resuming from step \(start) (checkpoint \(modelPath))") }
        // The schedule spans every epoch; --steps only truncates, so a shorter run followed by
        // --resume walks exactly the path of an uninterrupted one.
        let horizon = s.epochs * plan.stepsPerEpoch
        let totalSteps = min(horizon, s.steps ?? .max)
        let history = try History(path: (s.out as NSString).appendingPathComponent("history.jsonl"),
                                  active: comm.isRoot, keepThrough: resuming ? start : nil)
        let progress = ProgressBar(console: console, total: totalSteps, start: start, label: "step", unit: "samples",
                                unitsPerItem: Double(batch))
        var lastGood: (path: String, step: Int)? = resuming ? (modelPath, start) : nil
        func state(_ step: Int) -> TrainingState {
            TrainingState(parameters: model.copyParameters(), optimizerState: optimizer.copyState(),
                          optimizerSteps: optimizer.stepCount, step: step)
        }
        func checkpoint(_ step: Int) throws {
            let reducer = try Reducer(method: .ae, data: data, latent: s.latent, keep: s.keep, spec: spec, autoencoder: model, pca: nil)
            let state = state(step)
            try comm.agree {
                guard comm.isRoot else { return }
                try history.check()
                try reducer.save(to: modelPath, config: s.toml, seed: s.seed, training: state)
            }
            lastGood = (modelPath, step)
        }
        let clock = Stopwatch()
        var last = clock.seconds
        for step in start..<totalSteps {
            optimizer.learningRate = learningRate(s, step: step, total: horizon)
            let result = try trainer.step(step)
            let done = step + 1
            guard result.loss.isFinite else {
                throw comm.reportedOnce(TrainingDiverged(step: done, loss: result.loss, lastGood: lastGood))
            }
            let now = clock.seconds
            let rate = Double(batch) / max(now - last, 1e-9)
            last = now
            history.append([("step", .integer(done)), ("epoch", .integer(step / plan.stepsPerEpoch + 1)),
                            ("loss", History.number(result.loss)), ("samples_per_s", History.number(rate)),
                            ("seconds", History.number(now))])
            progress.update(done, detail: "loss \(String(format: "%.5f", result.loss))")
            if done % plan.stepsPerEpoch == 0 {
                let validation = try trainer.meanSquaredError(data.heldOut)
                console.line("epoch \(done / plan.stepsPerEpoch)/\(s.epochs) step \(done) train loss "
                             + "\(String(format: "%.5f", result.loss)) held-out loss \(String(format: "%.5f", validation))")
            }
            StopSignal.tick("reduce")
            if result.stopRequested {
                try checkpoint(done)
                throw comm.stopped(StopRecord(directory: s.out, stage: "reduce"), total: totalSteps, unit: "steps",
                                   stop: CheckpointedStop(step: done, path: modelPath)) { done }
            }
            if done % s.checkpointEvery == 0 && done < totalSteps { try checkpoint(done) }
        }
        // The final model.h5 is written by the caller once the zero thresholds are calibrated.
        try comm.agree { if comm.isRoot { try history.check() } }
        return (try Reducer(method: .ae, data: data, latent: s.latent, keep: s.keep, spec: spec, autoencoder: model, pca: nil),
                state(max(start, totalSteps)))
    }

    /// The settings' schedule at `step` (LearningRateSchedule).
    public static func learningRate(_ s: ReduceSettings, step: Int, total: Int) -> Float {
        LearningRateSchedule.value(lr: s.lr, schedule: s.schedule, step: step, total: total)
    }

    public static func makeOptimizer(_ name: String, parameters: Int, lr: Float) -> Optimizer {
        switch name {
        case "adadelta": return Adadelta(parameterCount: parameters, learningRate: lr)
        case "sgd": return SGD(parameterCount: parameters, learningRate: lr, momentum: 0.9)
        default: return Adam(parameterCount: parameters, learningRate: lr)
        }
    }

    /// Loads parameters, optimizer state and step from `path`; returns the step to continue from.
    public static func restore(_ path: String, model: MLP, optimizer: Optimizer, comm: Communicator) throws -> Int {
        try comm.agree {
            let checkpoint = try Checkpoint.read(from: path)
            try model.restoreParameters(try checkpoint.buffer("parameters", count: model.parameterCount))
            try optimizer.restoreState(try checkpoint.buffer("optimizer_state", count: optimizer.state.count),
                                       stepCount: Int(try checkpoint.int("optimizer_steps")))
            return Int(try checkpoint.int("step"))
        }
    }
}
