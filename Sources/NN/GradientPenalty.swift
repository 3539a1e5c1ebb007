import Support
/// WGAN-GP's gradient penalty (Gulrajani et al. 2017) for a scalar-output critic MLP D:
///   P = λ · (1/B) Σ_i (‖∇ₓD(x̂_i)‖₂ − 1)²  on interpolated rows x̂ (`interpolate`).
///
/// Why no double backprop: with piecewise-linear activations (linear, relu, leakyReLU) the
/// slopes s_l are fixed by the forward pass (almost everywhere), so the input gradient is a
/// masked linear chain; in row form, with D_l = ∂D/∂z_l (layers 1…L):
///   D_L = s_L,  D_l = (D_{l+1} W_{l+1}ᵀ) ⊙ s_l,  g = D_1 W_1ᵀ.
/// With u_i = ∂P_i/∂g_i held fixed, ⟨u, g⟩ is the critic's linearised forward pass on u
/// (tangent T_0 = u, T_l = (T_{l−1} W_l) ⊙ s_l), hence the exact, cheap parameter gradient
///   ∂P/∂W_l = T_{l−1}ᵀ D_l,   ∂P/∂b_l = 0 (biases only move the kinks).
/// Cost: one sgemm per layer for the D_l chain and g, two per layer (one on the last) for the
/// tangent and the outer products — about two extra backward passes.
///
/// WGAN-GP critic step (the penalty needs the critic's forward on x̂ as the *last* forward):
///
///     critic.forward(batch: 2b)                                  // real | fake rows
///     // Wasserstein loss gradient (−1/B for real, +1/B for fake) into critic.outputGradient
///     critic.backward(batch: 2b, parameterGradients: .overwrite)
///     let rows = critic.input                                    // still [real | fake]
///     GradientPenalty.interpolate(real: UnsafeBufferPointer(rebasing: rows[0 ..< b * n]),
///                                 fake: UnsafeBufferPointer(rebasing: rows[b * n ..< 2 * b * n]),
///                                 into: critic.input(batch: b), rows: b, width: n, rng: &rng)
///     critic.forward(batch: b)
///     let penaltySum = penalty.accumulate(batch: b, lambda: 10, scale: 1 / Float(globalBatch))
///     // allreduce critic.gradients, then optimizer step
///
/// Workspaces are allocated once in `init`; `accumulate` does not allocate and does not touch
/// the critic's own activation-gradient workspaces (only `critic.gradients`, weights only).
public final class GradientPenalty {
    public let critic: MLP
    public let maxBatch: Int
    /// D_l blocks, maxBatch × widths[l+1] each, at `deltaOffsets[l]`.
    private let deltas: FloatStorage
    private let deltaOffsets: [Int]
    /// Tangent ping-pong blocks and the sgemm result block they are masked from.
    private let tangents: (FloatStorage, FloatStorage)
    private let scratch: FloatStorage
    /// ∂D/∂x̂ rows of the last `accumulate` (maxBatch × inputWidth).
    private let gradientStorage: FloatStorage
    /// maxBatch ones: the output gradient of the critic's scalar output.
    private let ones: FloatStorage

    /// - Throws: `NNError.invalidArchitecture` when the critic's output is not one scalar, a
    ///   layer's activation is not piecewise linear (the penalty gradient would need second
    ///   derivatives), or `maxBatch` is outside 1...critic.maxBatch.
    public init(critic: MLP, maxBatch: Int) throws {
        guard critic.outputWidth == 1 else {
            throw NNError.invalidArchitecture("gradient penalty needs a critic with 1 output, found \(critic.outputWidth) "
                                              + "(widths \(critic.widths)); end the critic with a width-1 layer")
        }
        for (index, layer) in critic.layers.enumerated() {
            switch layer.activation {
            case .linear, .relu, .leakyReLU: continue
            case .tanh, .sigmoid:
                throw NNError.invalidArchitecture("gradient penalty needs piecewise-linear critic activations (linear, relu, "
                                                  + "leakyReLU), found \(layer.activation) in layer \(index) of \(critic.activations); "
                                                  + "use leakyReLU hidden layers and a linear output")
            }
        }
        guard maxBatch > 0 && maxBatch <= critic.maxBatch else {
            throw NNError.invalidArchitecture("gradient penalty maxBatch must be in 1...\(critic.maxBatch) (the critic's maxBatch), "
                                              + "found \(maxBatch)")
        }
        self.critic = critic
        self.maxBatch = maxBatch
        var offsets: [Int] = [], total = 0
        for layer in critic.layers {
            offsets.append(total)
            total += maxBatch * layer.outputs
        }
        deltaOffsets = offsets
        deltas = FloatStorage(count: total)
        let widest = critic.widths.max() ?? 1
        tangents = (FloatStorage(count: maxBatch * widest), FloatStorage(count: maxBatch * widest))
        scratch = FloatStorage(count: maxBatch * widest)
        gradientStorage = FloatStorage(count: maxBatch * critic.inputWidth)
        ones = FloatStorage(count: maxBatch)
        ones.buffer.update(repeating: 1)
    }

    /// ∂D/∂x̂ (batch × inputWidth) from the last `accumulate`, e.g. for monitoring ‖g‖.
    public func inputGradient(batch: Int) -> UnsafeMutableBufferPointer<Float> {
        gradientStorage.view(0, batch * critic.inputWidth)
    }

    /// Adds scale · ∂(Σ_i λ(‖g_i‖ − 1)²)/∂W into the critic's weight gradients (biases and all
    /// other state of the critic untouched) and returns Σ_i λ(‖g_i‖ − 1)² over the `batch`
    /// local rows (unscaled; divide by the global batch for P). Requires that
    /// `critic.forward(batch: batch)` was the critic's last forward pass, on the x̂ rows.
    /// A row with g = 0 contributes λ and no gradient (‖·‖ is not differentiable there).
    @discardableResult
    public func accumulate(batch: Int, lambda: Float, scale: Float) -> Double {
        precondition(batch > 0 && batch <= maxBatch, "penalty batch \(batch) outside 1...\(maxBatch)")
        precondition(critic.forwardBatch == batch, "penalty batch \(batch) differs from the critic's last forward batch \(critic.forwardBatch)")
        inputGradientChain(batch: batch)
        let sum = rowTerms(batch: batch, lambda: lambda, scale: scale)
        tangentOuterProducts(batch: batch)
        return sum
    }

    /// D_l for every layer and g = D_1 W_1ᵀ, masked through the critic's stored outputs.
    private func inputGradientChain(batch: Int) {
        let layers = critic.layers, params = UnsafePointer(critic.parameterStorage.start)
        let last = layers.count - 1
        mask(layer: last, from: ones.start, batch: batch)
        for l in stride(from: last, through: 0, by: -1) {
            let layer = layers[l]
            let target = l > 0 ? scratch.start : gradientStorage.start
            Gemm.multiply(transposeA: false, transposeB: true, m: batch, n: layer.inputs, k: layer.outputs,
                          a: deltas.start + deltaOffsets[l], lda: layer.outputs, b: params + layer.weightOffset, ldb: layer.outputs,
                          beta: 0, c: target, ldc: layer.inputs)
            if l > 0 { mask(layer: l - 1, from: scratch.start, batch: batch) }
        }
    }

    /// D_l ← dy ⊙ s_l (slopes read from layer l's stored output).
    private func mask(layer l: Int, from dy: UnsafePointer<Float>, batch: Int) {
        Kernels.activationBackward(dy: dy, y: storedOutput(l),
                                   dz: deltas.start + deltaOffsets[l], rows: batch, cols: critic.layers[l].outputs,
                                   activation: critic.layers[l].activation, biasGradient: nil, accumulate: false)
    }

    /// Layer l's output from the critic's last forward pass (its sign carries the slope).
    private func storedOutput(_ l: Int) -> UnsafePointer<Float> {
        UnsafePointer(critic.outputStorage.start + critic.outputOffsets[l])
    }

    /// Per-row λ(‖g‖ − 1)², summed; writes u_i = scale·2λ(‖g_i‖ − 1)·g_i/‖g_i‖ to the first tangent block.
    private func rowTerms(batch: Int, lambda: Float, scale: Float) -> Double {
        let width = critic.inputWidth
        let g = gradientStorage.start, u = tangents.0.start
        var sum = 0.0
        for r in 0..<batch {
            let row = g + r * width, out = u + r * width
            var squares = 0.0
            for c in 0..<width { squares += Double(row[c]) * Double(row[c]) }
            let norm = squares.squareRoot(), excess = norm - 1
            sum += Double(lambda) * excess * excess
            let factor = norm > 0 ? Float(Double(scale) * 2 * Double(lambda) * excess / norm) : 0
            for c in 0..<width { out[c] = factor * row[c] }
        }
        return sum
    }

    /// dW_l += T_{l−1}ᵀ D_l along the tangent T_l = (T_{l−1} W_l) ⊙ s_l.
    private func tangentOuterProducts(batch: Int) {
        let layers = critic.layers, params = UnsafePointer(critic.parameterStorage.start)
        let grads = critic.gradientStorage.start
        var t = tangents.0.start, next = tangents.1.start
        for l in layers.indices {
            let layer = layers[l]
            Gemm.multiply(transposeA: true, transposeB: false, m: layer.inputs, n: layer.outputs, k: batch,
                          a: t, lda: layer.inputs, b: deltas.start + deltaOffsets[l], ldb: layer.outputs,
                          beta: 1, c: grads + layer.weightOffset, ldc: layer.outputs)
            guard l < layers.count - 1 else { break }
            Gemm.multiply(transposeA: false, transposeB: false, m: batch, n: layer.outputs, k: layer.inputs,
                          a: t, lda: layer.inputs, b: params + layer.weightOffset, ldb: layer.outputs,
                          beta: 0, c: scratch.start, ldc: layer.outputs)
            Kernels.activationBackward(dy: scratch.start, y: storedOutput(l),
                                       dz: next, rows: batch, cols: layer.outputs, activation: layer.activation,
                                       biasGradient: nil, accumulate: false)
            swap(&t, &next)
        }
    }
}
