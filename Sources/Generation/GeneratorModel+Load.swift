import Comm
import EventStore
import Foundation
import NN
import Support
import Training

extension GeneratorModel {
    /// What `load` read besides the model: for the manifest, the shard attributes and messages.
    public struct Source {
        public var directory: String
        /// SHA-256 of generator.h5, followed by reducer.h5 in latent space.
        public var hash: String
        public var space: String
        public var kind: String
        /// `--reweight`: the real events the weights' classifier trained on (for the manifest).
        public var reweighting: GenerationManifest.Reweighting? = nil
        /// `--flow-steps` / `--flow-integrator` when they change the snapshot's sampling (nil: its own).
        public var sampling: SamplerKind? = nil
    }

    /// `generate --flow-steps` / `--flow-integrator`: a flow's ODE steps and integrator in place of
    /// the ones stored with the snapshot (nil members: the stored ones).
    public struct FlowSampling: Equatable {
        public var steps: Int?
        public var integrator: FlowIntegrator?
        public init(steps: Int? = nil, integrator: FlowIntegrator? = nil) {
            self.steps = steps
            self.integrator = integrator
        }
        public var isEmpty: Bool { steps == nil && integrator == nil }
    }

    /// Loads a model directory (RUN/best of `latentsim ensemble`, or any directory holding
    /// generator.h5 and, for a latent-space generator, reducer.h5). Rank-local: call it on every
    /// rank inside `comm.agree` (the files are small).
    /// `flow` overrides a flow snapshot's sampling (refused for one-pass generators); a change is
    /// folded into the source hash, so the manifest tells the outputs apart.
    public static func load(directory: String, chunk: Int = GeneratorModel.defaultChunk,
                            flow: FlowSampling = FlowSampling()) throws -> (GeneratorModel, Source) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError("model directory '\(directory)' does not exist or is not a directory; give RUN/best written by "
                             + "`latentsim ensemble` (or any directory holding generator.h5 [+ reducer.h5])",
                             exitCode: ExitStatus.noInput)
        }
        let root = directory as NSString
        let generatorPath = root.appendingPathComponent("generator.h5")
        guard fm.fileExists(atPath: generatorPath) else {
            throw InputError("model directory '\(directory)' is incomplete: no generator.h5 (the trained sampler); give RUN/best "
                             + "written by `latentsim ensemble`, or rerun `latentsim select RUN` to install it",
                             exitCode: ExitStatus.noInput)
        }
        let checkpoint = try Checkpoint.read(from: generatorPath)
        let place = "'\(generatorPath)'"
        let format = (try? checkpoint.string("format")) ?? "none"
        guard format == GeneratorSnapshot.format else {
            throw InputError("\(place) is not a generator snapshot: format '\(format)', expected '\(GeneratorSnapshot.format)'; "
                             + "give the generator.h5 of RUN/best", exitCode: ExitStatus.dataError)
        }
        func attribute<T>(_ name: String, _ read: () throws -> T) throws -> T {
            do { return try read() } catch {
                throw InputError("\(place) attribute '\(name)' is missing or unreadable (\(error)); the snapshot is damaged or "
                                 + "from another latentsim version: rerun `latentsim select RUN`", exitCode: ExitStatus.dataError)
            }
        }
        func json<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
            try attribute(name) { try JSONValue.decode(T.self, from: try checkpoint.string(name)) }
        }
        func strings(_ name: String) throws -> [String] {
            try attribute(name) {
                guard case .strings(let s)? = checkpoint.attributes[name] else { throw InputError("not a list of strings") }
                return s
            }
        }
        let space = try attribute("space") { try checkpoint.string("space") }
        let widths = try json([Int].self, "widths")
        let slope = try attribute("slope") { () throws -> Float in
            guard let s = Float(try checkpoint.string("slope")), s >= 0 else { throw InputError("not a slope ≥ 0") }
            return s
        }
        let noise = Int(try attribute("noise") { try checkpoint.int("noise") })
        let outputColumns = try strings("output_columns")
        let inputColumns = try strings("input_columns")
        let scaling = try json(Preprocessor.self, "scaling")
        let frameText = try attribute("frame") { try checkpoint.string("frame") }
        let frame = frameText.isEmpty ? nil : try json(Preprocessor.self, "frame")
        let stored = try samplerKind(checkpoint, place: place)
        let family = (try? checkpoint.string("model")) ?? "gan"
        let kind = try overridden(stored, by: flow, family: family, place: place)
        let input = kind == .direct ? noise : noise + FlowTime.width
        guard widths.count >= 2, widths.first == input, widths.last == outputColumns.count,
              kind == .direct || noise == outputColumns.count else {
            throw InputError("\(place): sampler widths \(widths) do not match noise \(noise) and \(outputColumns.count) output "
                             + "columns; the snapshot is damaged: rerun `latentsim select RUN`", exitCode: ExitStatus.dataError)
        }
        let network = try MLP(widths: widths, activations: Array(repeating: .leakyReLU(slope), count: widths.count - 2) + [.linear],
                              maxBatch: chunk, seed: 0)
        try network.restoreParameters(try checkpoint.buffer("parameters", count: network.parameterCount))
        let sampler = try Sampler(network: network, kind: kind)
        var paths = [generatorPath]
        var latentScaling: Preprocessor? = nil, decoder: Decoder? = nil, kept: KeptFeatures? = nil, zeros = ZeroCalibration()
        if space == "latent" {
            let reducerPath = root.appendingPathComponent("reducer.h5")
            guard fm.fileExists(atPath: reducerPath) else {
                throw InputError("model directory '\(directory)' is incomplete: no reducer.h5, which the latent-space generator "
                                 + "needs to decode its codes; copy the reducer's model.h5 there as reducer.h5 or rerun "
                                 + "`latentsim select RUN`", exitCode: ExitStatus.noInput)
            }
            let reducer = try Reducer.load(path: reducerPath)
            let standardisation = try json(Preprocessor.self, "latent_scaling")
            guard reducer.features == scaling.inputColumns, standardisation.outputColumns == outputColumns,
                  standardisation.inputColumns.count == reducer.latent else {
                throw InputError("'\(reducerPath)' does not belong to \(place): the reducer decodes \(reducer.latent) codes into "
                                 + "\(reducer.features.joined(separator: ",")), the generator expects \(outputColumns.count) codes "
                                 + "and features \(scaling.inputColumns.joined(separator: ",")); install both from one run",
                                 exitCode: ExitStatus.dataError)
            }
            decoder = try RowMapping.decoder(of: reducer, maxRows: chunk)
            latentScaling = standardisation
            kept = reducer.kept
            zeros = reducer.zeros
            paths.append(reducerPath)
        } else if scaling.outputColumns != outputColumns {
            throw InputError("\(place): the scaling maps to \(scaling.outputColumns.joined(separator: ",")) but the sampler outputs "
                             + "\(outputColumns.joined(separator: ",")); the snapshot is damaged", exitCode: ExitStatus.dataError)
        }
        if let frame, frame.inputColumns != inputColumns {
            throw InputError("\(place): the frame step expects \(frame.inputColumns.joined(separator: ",")) but input_columns is "
                             + "\(inputColumns.joined(separator: ",")); the snapshot is damaged", exitCode: ExitStatus.dataError)
        }
        if checkpoint.attributes["zero_thresholds"] != nil { zeros = try json(ZeroCalibration.self, "zero_thresholds") }
        let model = try GeneratorModel(sampler: sampler, latentScaling: latentScaling, decoder: decoder,
                                       kept: kept, scaling: scaling, zeros: zeros, frame: frame, columns: inputColumns, chunk: chunk)
        if checkpoint.attributes["support_range"] != nil {
            let range = try json(SupportRange.self, "support_range")
            guard range.columns == inputColumns else {
                throw InputError("\(place): support_range covers \(range.columns.joined(separator: ",")) but input_columns is "
                                 + "\(inputColumns.joined(separator: ",")); the snapshot is damaged", exitCode: ExitStatus.dataError)
            }
            model.support = range
        }
        var source = Source(directory: directory, hash: try SHA256.hex(files: paths), space: space, kind: family)
        if kind != stored, case .flow(let steps, let integrator) = kind {
            source.sampling = kind
            source.hash += "+flow:\(steps):\(integrator.rawValue)"
        }
        return (model, source)
    }

    /// The stored sampling with `flow`'s members in place of its own; one line for a one-pass generator.
    static func overridden(_ stored: SamplerKind, by flow: FlowSampling, family: String, place: String) throws -> SamplerKind {
        guard !flow.isEmpty else { return stored }
        guard case .flow(let steps, let integrator) = stored else {
            throw InputError("--flow-steps and --flow-integrator apply to flow models, but \(place) is a \(family) generator "
                             + "(one network pass per event); drop them", exitCode: ExitStatus.usage)
        }
        return .flow(steps: flow.steps ?? steps, integrator: flow.integrator ?? integrator)
    }

    /// How the snapshot samples: one pass without a `sampling` attribute (every GAN and VAE snapshot,
    /// and every snapshot older than flows), else the flow's steps and integrator.
    static func samplerKind(_ checkpoint: Checkpoint, place: String) throws -> SamplerKind {
        guard checkpoint.attributes["sampling"] != nil else { return .direct }
        func damaged(_ what: String) -> InputError {
            InputError("\(place): \(what); the snapshot is damaged or from another latentsim version: rerun `latentsim select RUN`",
                       exitCode: ExitStatus.dataError)
        }
        let sampling = (try? checkpoint.string("sampling")) ?? "unreadable"
        guard sampling == "flow" else { throw damaged("unknown sampling '\(sampling)', expected 'flow' (or none: one pass)") }
        guard let steps = try? checkpoint.int("flow_steps"), steps >= 1 else { throw damaged("flow_steps is missing or below 1") }
        let name = (try? checkpoint.string("flow_integrator")) ?? "missing"
        guard let integrator = FlowIntegrator(rawValue: name) else {
            throw damaged("unknown flow_integrator '\(name)', expected one of \(FlowIntegrator.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let time = (try? checkpoint.string("flow_time")) ?? "missing"
        guard time == FlowTime.name else { throw damaged("flow_time '\(time)' is not this version's time features '\(FlowTime.name)'") }
        return .flow(steps: Int(steps), integrator: integrator)
    }
}
