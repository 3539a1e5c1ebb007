import Comm
import EventStore
import Foundation
import NN
import Support

/// Training state stored beside the model so that `--resume` continues bit for bit.
public struct TrainingState {
    public var parameters: [Float]
    public var optimizerState: [Float]
    public var optimizerSteps: Int
    public var step: Int
}

extension Reducer {
    public static let format = "latentsim-reducer-1"

    /// Writes `RUN/model.h5` atomically (call on one rank).
    public func save(to path: String, config: String, seed: UInt64, training: TrainingState?) throws {
        func json<T: Encodable>(_ value: T) throws -> String { try JSONValue(encoding: value).encoderText }
        var checkpoint = Checkpoint(attributes: [
            "format": .string(Reducer.format), "method": .string(method.rawValue),
            "scaling": .string(try json(scaling)), "frame": .string(try frame.map(json) ?? ""),
            "input_columns": .strings(inputColumns), "features": .strings(features), "latent": .int(Int64(latent)),
            "split": .string(try json(split)), "config": .string(config), "seed": .int(Int64(bitPattern: seed)),
            "rng": .string("philox4x32-10: streams keyed by (seed, epoch) for shuffles, (seed, row) for smearing"),
        ])
        if !keep.isEmpty { checkpoint.attributes["keep"] = .strings(keep) }
        if let spec { checkpoint.attributes["architecture"] = .string(try json(spec)) }
        if let pca { checkpoint.attributes["pca"] = .string(try json(pca)) }
        checkpoint.attributes["zero_thresholds"] = .string(try json(zeros))
        if let training {
            checkpoint.buffers["parameters"] = training.parameters
            checkpoint.buffers["optimizer_state"] = training.optimizerState
            checkpoint.attributes["optimizer_steps"] = .int(Int64(training.optimizerSteps))
            checkpoint.attributes["step"] = .int(Int64(training.step))
        }
        try checkpoint.write(to: path)
    }
}
