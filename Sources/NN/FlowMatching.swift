import Support

/// Conditional flow matching with the linear (rectified-flow) path, as a generator of n-dimensional
/// rows (Lipman et al., arXiv:2210.02747; Liu et al., arXiv:2209.03003):
///   x_t = (1 − t)·x₀ + t·x₁,  x₀ ~ N(0, I), x₁ a data row, t ~ U[0, 1),
///   target velocity u = x₁ − x₀, network v(x_t, τ(t)) (`FlowTime`), n + 5 → hidden… → n.
///
/// Loss convention (per-row sums over the features, mean over rows), minimised by `step`:
///   L = (1/B) Σ_rows Σ_features (v − u)².
/// Its minimiser is the conditional expectation E[x₁ − x₀ | x_t, t], whose ODE dx/dt = v carries
/// N(0, I) at t = 0 to the data distribution at t = 1 (`Sampler` with `SamplerKind.flow` integrates it).
///
/// Memory: the network preallocates for `maxBatch`; the x₀ and t blocks are the caller's to fill
/// (one Philox stream per training row, so a row does not depend on the rank that trains it), so
/// `step` does not allocate. The optimizer is the caller's.
public final class FlowMatching {
    public let network: MLP
    /// n, the width of a row.
    public let features: Int
    public let maxBatch: Int
    private let noiseStorage: FloatStorage, timeStorage: FloatStorage

    /// - Parameters: `hidden` widths of the velocity network (leakyReLU of `slope`, linear output);
    ///   He initialisation from `seed`.
    public init(features: Int, hidden: [Int], slope: Float = 0.2, maxBatch: Int, seed: UInt64) throws {
        guard features > 0, hidden.allSatisfy({ $0 > 0 }), maxBatch > 0 else {
            throw NNError.invalidArchitecture("flow matching needs positive features, hidden widths and maxBatch, found features "
                                              + "\(features), hidden \(hidden), maxBatch \(maxBatch)")
        }
        guard slope >= 0 && slope.isFinite else {
            throw NNError.invalidArchitecture("flow velocity leakyReLU slope must be finite and ≥ 0, found \(slope)")
        }
        let widths = [features + FlowTime.width] + hidden + [features]
        network = try MLP(widths: widths, activations: Array(repeating: .leakyReLU(slope), count: hidden.count) + [.linear],
                          maxBatch: maxBatch, seed: seed)
        self.features = features
        self.maxBatch = maxBatch
        noiseStorage = FloatStorage(count: maxBatch * features)
        timeStorage = FloatStorage(count: maxBatch)
    }

    /// Flow matching on an existing velocity network (n + 5 → n), e.g. a worker's replica (`ModelReplicas`).
    public init(network: MLP, maxBatch: Int) throws {
        let features = network.outputWidth
        guard network.inputWidth == features + FlowTime.width, maxBatch > 0, maxBatch <= network.maxBatch else {
            throw NNError.invalidArchitecture("flow velocity network does not fit: widths \(network.widths), maxBatch \(maxBatch)")
        }
        self.network = network
        self.features = features
        self.maxBatch = maxBatch
        noiseStorage = FloatStorage(count: maxBatch * features)
        timeStorage = FloatStorage(count: maxBatch)
    }

    /// x₀ of the next `step`: batch × features values the caller writes.
    public func noise(batch: Int) -> UnsafeMutableBufferPointer<Float> { noiseStorage.view(0, batch * features) }
    /// t of the next `step`, one per row, in [0, 1].
    public func times(batch: Int) -> UnsafeMutableBufferPointer<Float> { timeStorage.view(0, batch) }

    /// One forward/backward pass on `batch` data rows x₁ (batch × features) with the x₀ and t already
    /// written: the gradient of Σ_rows Σ_features (v − u)² OVERWRITES `network.gradients` (the
    /// per-row sum `GradientRule` combines and scales by 1/B). Returns that sum.
    @discardableResult
    public func step(_ x1: UnsafeBufferPointer<Float>, batch: Int) -> Double {
        precondition(batch > 0 && batch <= maxBatch, "flow batch \(batch) outside 1...\(maxBatch)")
        precondition(x1.count >= batch * features, "flow input holds \(x1.count) values, need \(batch * features)")
        let n = features, width = network.inputWidth
        let input = network.input(batch: batch).baseAddress.unsafelyUnwrapped
        let x0 = UnsafePointer(noiseStorage.start), t = UnsafePointer(timeStorage.start), x = x1.baseAddress.unsafelyUnwrapped
        for r in 0..<batch {
            let row = input + r * width, tr = t[r]
            for j in 0..<n { row[j] = (1 - tr) * x0[r * n + j] + tr * x[r * n + j] }
            FlowTime.write(tr, to: row + n)
        }
        let v = UnsafePointer(network.forward(batch: batch).baseAddress.unsafelyUnwrapped)
        let g = network.outputGradient(batch: batch).baseAddress.unsafelyUnwrapped
        var sum = 0.0
        for r in 0..<batch {
            var rowSum: Float = 0
            for c in r * n ..< (r + 1) * n {
                let d = v[c] - (x[c] - x0[c])
                g[c] = 2 * d
                rowSum += d * d
            }
            sum += Double(rowSum)
        }
        network.backward(batch: batch, parameterGradients: .overwrite)
        return sum
    }
}
