import Comm
import EventStore
import Foundation
import NN
import Support

extension Reducer {
    /// Reads a reducer written by `latentsim reduce` (`RUN/model.h5`, format "latentsim-reducer-1").
    /// Call on every rank (each reads the small file itself) or on one rank inside `comm.agree`.
    public static func load(path: String) throws -> Reducer {
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError("reducer model '\(path)' does not exist; give the run directory of `latentsim reduce` "
                             + "(it holds model.h5) or train one first", exitCode: ExitStatus.noInput)
        }
        let checkpoint = try Checkpoint.read(from: path)
        let format = (try? checkpoint.string("format")) ?? "none"
        guard format == Reducer.format else {
            throw InputError("'\(path)' is not a reducer model: format '\(format)', expected '\(Reducer.format)'; "
                             + "give the model.h5 written by `latentsim reduce`", exitCode: ExitStatus.dataError)
        }
        func json<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
            do {
                return try JSONValue.decode(T.self, from: try checkpoint.string(name))
            } catch let error as InputError {
                throw error
            } catch {
                throw InputError("reducer model '\(path)': attribute '\(name)' is unreadable (\(error)); retrain the reducer",
                                 exitCode: ExitStatus.dataError)
            }
        }
        func strings(_ name: String) throws -> [String] {
            guard case .strings(let s)? = checkpoint.attributes[name] else {
                throw InputError("reducer model '\(path)' has no '\(name)' attribute; retrain the reducer",
                                 exitCode: ExitStatus.dataError)
            }
            return s
        }
        let method = Method(rawValue: try checkpoint.string("method")) ?? .ae
        let frameText = try checkpoint.string("frame")
        let frame = frameText.isEmpty ? nil : try json(Preprocessor.self, "frame")
        let latent = Int(try checkpoint.int("latent"))
        let features = try strings("features")
        // A one-element list reads back as a plain string attribute.
        var keep: [String] = []
        switch checkpoint.attributes["keep"] {
        case .string(let name)?: keep = [name]
        case .strings(let names)?: keep = names
        default: break
        }
        if let name = keep.first(where: { !features.contains($0) }) ?? (keep.count >= latent ? keep.first : nil) {
            throw InputError("reducer model '\(path)' keeps '\(name)' in its \(latent) latent columns but has features "
                             + "\(features.joined(separator: ",")); the file is damaged: retrain the reducer", exitCode: ExitStatus.dataError)
        }
        var spec: AutoencoderSpec? = nil, encoder: MLP? = nil, decoderModel: MLP? = nil, pca: PCA? = nil
        switch method {
        case .ae:
            let s = try json(AutoencoderSpec.self, "architecture")
            let keepIndices = KeptFeatures(latent: latent, keep: keep, features: features).indices
            guard s.latent == latent, (s.keep ?? []) == keepIndices else {
                throw InputError("reducer model '\(path)': its autoencoder has \(s.latent) latent columns keeping features "
                                 + "\(s.keep ?? []), the file says \(latent) keeping \(keepIndices); the file is damaged: "
                                 + "retrain the reducer", exitCode: ExitStatus.dataError)
            }
            let model = try s.makeModel(maxBatch: 1, seed: 0)
            try model.restoreParameters(try checkpoint.buffer("parameters", count: model.parameterCount))
            encoder = try s.makeEncoder(from: model, maxBatch: Reducer.inferenceBatch)
            decoderModel = try s.makeDecoder(from: model, maxBatch: Reducer.inferenceBatch)
            spec = s
        case .pca:
            pca = try json(PCA.self, "pca")
        }
        let reducer = Reducer(method: method, frame: frame, scaling: try json(Preprocessor.self, "scaling"),
                              inputColumns: try strings("input_columns"), features: features,
                              latent: latent, keep: keep,
                              split: try json(HeldOutSplit.self, "split"), spec: spec,
                              encoder: encoder, decoder: decoderModel, pca: pca)
        if checkpoint.attributes["zero_thresholds"] != nil {
            reducer.zeros = try json(ZeroCalibration.self, "zero_thresholds")
        }
        return reducer
    }

    /// A fresh copy of the decoder sized for `maxBatch` rows (for training through it: own buffers).
    public func trainableDecoder(maxBatch: Int) throws -> MLP? {
        guard let spec, let decoder else { return nil }
        let copy = try MLP(widths: spec.decoderWidths, activations: spec.decoderActivations, maxBatch: maxBatch, seed: 0)
        try copy.copyParameters(from: decoder)
        return copy
    }
}
