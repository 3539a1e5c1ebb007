import Comm
import EventStore
import Foundation
import NN
import Support

/// A snapshot of a trained generator, self-contained for generation: the sampler network (noise →
/// one row of the generator's output), its noise width, the space, and every preprocessing needed
/// to reach physical units (latent standardisation; the frame and scaling; the decoder lives in the
/// reducer file stored beside it as `reducer.h5`), and the snapshot's zero thresholds (physical
/// units; older snapshots without them use the reducer's), and the training table's per-column
/// range (`support_range`, `SupportRange`; snapshots written before it generate unguarded).
/// Format "latentsim-generator-1".
/// A flow's snapshot adds `sampling` = "flow", `flow_steps`, `flow_integrator` and `flow_time`
/// (`SamplerKind.flow`); a snapshot without `sampling` is sampled in one pass, as every snapshot
/// written before flows existed, and one-pass snapshots are written exactly as before.
public enum GeneratorSnapshot {
    public static let format = "latentsim-generator-1"

    public static func checkpoint(sampler: Sampler, settings s: GANSettings, data: GANData, restart: Int, step: Int,
                           score: SnapshotScore) throws -> Checkpoint {
        let network = sampler.network
        func json<T: Encodable>(_ value: T) throws -> String { try JSONValue(encoding: value).encoderText }
        var checkpoint = Checkpoint(attributes: [
            "format": .string(format), "space": .string(s.space.rawValue), "model": .string(s.model.rawValue),
            "widths": .string(try json(network.widths)), "slope": .string(String(s.slope)),
            "noise": .int(Int64(sampler.noiseWidth)), "output_columns": .strings(data.outputColumns),
            "features": .strings(data.prepared.features), "input_columns": .strings(data.prepared.inputColumns),
            "scaling": .string(try json(data.prepared.scaling)),
            "frame": .string(try data.prepared.frame.map(json) ?? ""),
            "restart": .int(Int64(restart)), "step": .int(Int64(step)), "seed": .int(Int64(bitPattern: s.restartSeed(restart))),
            "ks_sum": .string(String(score.sum)), "config": .string(s.toml),
            "zero_thresholds": .string(try json(score.zeros)),
            "support_range": .string(try json(data.prepared.support)),
        ], buffers: ["parameters": network.copyParameters()])
        if case .flow(let steps, let integrator) = sampler.kind {
            checkpoint.attributes.merge(["sampling": .string("flow"), "flow_steps": .int(Int64(steps)),
                                         "flow_integrator": .string(integrator.rawValue), "flow_time": .string(FlowTime.name)]) { $1 }
        }
        if let latentScaling = data.latentScaling { checkpoint.attributes["latent_scaling"] = .string(try json(latentScaling)) }
        return checkpoint
    }

    /// The resumable state of a restart: every network's parameters and optimizer state, the step,
    /// and the loss sums since the last snapshot record.
    public static func state(_ trainer: GeneratorTrainer, step: Int, restart: Int, losses: LossAverages) -> Checkpoint {
        var checkpoint = Checkpoint(attributes: ["format": .string("latentsim-restart-state-1"), "step": .int(Int64(step)),
                                                 "restart": .int(Int64(restart))])
        checkpoint.attributes.merge(losses.attributes) { $1 }
        for m in trainer.models {
            checkpoint.buffers["\(m.name)_parameters"] = m.model.copyParameters()
            checkpoint.buffers["\(m.name)_optimizer_state"] = m.optimizer.copyState()
            checkpoint.attributes["\(m.name)_optimizer_steps"] = .int(Int64(m.optimizer.stepCount))
        }
        for (name, buffer) in trainer.extraState { checkpoint.buffers[name] = Array(buffer) }
        return checkpoint
    }

    /// Restores a state written by `state`; returns its step and loss sums.
    public static func restore(_ trainer: GeneratorTrainer, from path: String) throws -> (step: Int, losses: LossAverages) {
        let checkpoint = try Checkpoint.read(from: path)
        for m in trainer.models {
            try m.model.restoreParameters(try checkpoint.buffer("\(m.name)_parameters", count: m.model.parameterCount))
            try m.optimizer.restoreState(try checkpoint.buffer("\(m.name)_optimizer_state", count: m.optimizer.state.count),
                                         stepCount: Int(try checkpoint.int("\(m.name)_optimizer_steps")))
        }
        for (name, buffer) in trainer.extraState {
            _ = buffer.update(fromContentsOf: try checkpoint.buffer(name, count: buffer.count))
        }
        return (Int(try checkpoint.int("step")), try LossAverages(names: trainer.lossNames, restoring: checkpoint, path: path))
    }
}
