import Support

/// How a sampler network turns standard normal noise into one generated row.
public enum SamplerKind: Equatable, Sendable {
    /// One forward pass: row = net(noise) (a GAN's generator, a VAE's decoder).
    case direct
    /// A flow-matching velocity field v(x, t) = net([x, τ(t)]) (`FlowTime`): x(0) = the noise (as wide
    /// as a row), then `steps` fixed steps of `integrator` to x(1), the row: steps × evaluations passes.
    case flow(steps: Int, integrator: FlowIntegrator)

    /// Network passes per generated row.
    public var passes: Int {
        switch self {
        case .direct: return 1
        case .flow(let steps, let integrator): return steps * integrator.evaluations
        }
    }
}

/// A generator's sampling procedure on its network, shared by snapshot scoring (Training) and
/// generation (Generation): the caller writes `batch` rows of standard normal noise to
/// `noise(batch:)`, then `run(batch:packed:)` returns the generated rows. Direct sampling is exactly
/// the network's forward pass (the noise block is its input block); a flow integrates in its own
/// state block, every pass on the same packed weights. Rows stay independent: on the packed kernel
/// a row's result does not depend on its batch. Buffers are allocated once, for `network.maxBatch` rows.
public final class Sampler {
    public let network: MLP
    public let kind: SamplerKind
    /// Noise values per row: the network's input width (direct), the row width (flow).
    public let noiseWidth: Int
    /// The flow's state (maxBatch × row width) and the integrator's scratch; empty for direct sampling.
    private let state: FloatStorage, scratch: FloatStorage

    public init(network: MLP, kind: SamplerKind = .direct) throws {
        self.network = network
        self.kind = kind
        switch kind {
        case .direct:
            noiseWidth = network.inputWidth
            state = FloatStorage(count: 0)
            scratch = FloatStorage(count: 0)
        case .flow(let steps, let integrator):
            guard steps > 0 else { throw NNError.invalidArchitecture("a flow sampler needs at least 1 step, found \(steps)") }
            guard network.inputWidth == network.outputWidth + FlowTime.width else {
                throw NNError.invalidArchitecture("a flow velocity network maps a row and \(FlowTime.width) time features to a row: "
                                                  + "input width \(network.outputWidth + FlowTime.width), found widths \(network.widths)")
            }
            noiseWidth = network.outputWidth
            state = FloatStorage(count: network.maxBatch * noiseWidth)
            scratch = FloatStorage(count: integrator.scratch(count: network.maxBatch * noiseWidth))
        }
    }

    public var maxBatch: Int { network.maxBatch }
    public var outputWidth: Int { network.outputWidth }

    /// Where the caller writes the noise of the next `run` (batch × noiseWidth values).
    public func noise(batch: Int) -> UnsafeMutableBufferPointer<Float> {
        precondition(batch > 0 && batch <= maxBatch, "sampler batch \(batch) outside 1...\(maxBatch)")
        if case .direct = kind { return network.input(batch: batch) }
        return state.view(0, batch * noiseWidth)
    }

    /// The generated rows for the noise in `noise(batch:)` (valid until the next `run` or forward pass).
    /// `packed`: the network's current weights packed (nil: OpenBLAS).
    @discardableResult
    public func run(batch: Int, packed: PackedWeights?) -> UnsafeMutableBufferPointer<Float> {
        guard case .flow(let steps, let integrator) = kind else { return network.forward(batch: batch, packed: packed) }
        let d = noiseWidth, input = network.inputWidth, net = network
        integrator.integrate(state.start, count: batch * d, steps: steps, scratch: scratch.start) { x, t, v in
            let rows = net.input(batch: batch).baseAddress.unsafelyUnwrapped
            FlowTime.write(t, to: rows + d)
            for r in 0..<batch {
                (rows + r * input).update(from: x + r * d, count: d)
                if r > 0 { (rows + r * input + d).update(from: rows + d, count: FlowTime.width) }
            }
            let out = net.forward(batch: batch, packed: packed)
            v.update(from: out.baseAddress.unsafelyUnwrapped, count: batch * d)
        }
        return state.view(0, batch * d)
    }
}
