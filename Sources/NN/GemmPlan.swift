import Support
/// One matrix product of a training step: its shape, and optionally the model buffers it reads
/// and writes (for replaying a step's matmuls in place, without the elementwise work). An sgemm
/// call, or with `kernel` a forward layer through `DenseKernel` (packed weights, bias and
/// activation fused, as the step runs it).
struct GemmCall {
    /// A forward product on packed weights: where they are, the bias, the activation.
    struct Kernel {
        var packed: UnsafePointer<Float>
        var bias: UnsafePointer<Float>
        var activation: Activation
        var variant: DenseKernel.Variant
        /// A fused backward product (`DenseKernel.backward`): the layer below's stored output, its
        /// bias gradient (nil: none) and whether the step zeroes that first.
        var derivative: (y: UnsafePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?, zeroBias: Bool)? = nil
    }

    var transposeA: Bool
    var transposeB: Bool
    var m: Int, n: Int, k: Int
    var beta: Float
    var a: UnsafePointer<Float>? = nil
    var b: UnsafePointer<Float>? = nil
    var c: UnsafeMutablePointer<Float>? = nil
    var kernel: Kernel? = nil

    /// Which of a training step's products the call is, by its transposes: a forward layer (NN, sgemm
    /// or the kernel), an input gradient dX = dZ·Wᵀ (NT) or a weight gradient dW = xᵀ·dZ (TN).
    enum Role: String, CaseIterable, Sendable {
        case forward, inputGradient = "dX = dZ·Wᵀ", weightGradient = "dW = xᵀ·dZ"
    }

    var role: Role { transposeA ? .weightGradient : transposeB ? .inputGradient : .forward }
    var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
    var label: String { "\(kernel == nil ? "" : "packed ")\(transposeA ? "T" : "N")\(transposeB ? "T" : "N") \(m)x\(k)·\(k)x\(n)" }
    var lda: Int { transposeA ? m : k }
    var ldb: Int { transposeB ? k : n }

    func sameShape(_ other: GemmCall) -> Bool {
        (transposeA, transposeB, m, n, k, beta) == (other.transposeA, other.transposeB, other.m, other.n, other.k, other.beta)
            && (kernel == nil) == (other.kernel == nil)
    }
}

/// A list of matrix products, replayable on their own buffers or on hot scratch buffers.
final class GemmPlan {
    let calls: [GemmCall]
    private let a: FloatStorage, b: FloatStorage, c: FloatStorage, bias: FloatStorage

    init(_ calls: [GemmCall], seed: UInt64 = 7) {
        self.calls = calls
        a = FloatStorage(count: calls.map { $0.m * $0.k }.max() ?? 1)
        b = FloatStorage(count: calls.map { $0.kernel == nil ? $0.k * $0.n : DenseKernel.packedCount(inputs: $0.k, outputs: $0.n) }.max() ?? 1)
        c = FloatStorage(count: calls.map { $0.m * $0.n }.max() ?? 1)
        bias = FloatStorage(count: calls.map(\.n).max() ?? 1)
        var rng = Philox(seed: seed, stream: 0)
        rng.fillUniform(a.buffer, low: -1, high: 1)
        rng.fillUniform(b.buffer, low: -1, high: 1)
    }

    var flops: Double { calls.reduce(0) { $0 + $1.flops } }

    /// Every call; `inPlace` uses the recorded model buffers, otherwise the scratch buffers.
    func run(inPlace: Bool = false) { for call in calls { run(call, inPlace: inPlace) } }

    func run(_ call: GemmCall, inPlace: Bool = false) {
        let useOwn = inPlace && call.a != nil && call.b != nil && call.c != nil
        if let kernel = call.kernel, let derivative = kernel.derivative {
            // Scratch replays read the layer below's output from, and write dZ to, the same block.
            let bias = useOwn ? derivative.biasGradient : (derivative.biasGradient == nil ? nil : self.bias.start)
            if derivative.zeroBias, let bias { bias.update(repeating: 0, count: call.n) }
            return DenseKernel.backward(rows: call.m, inputs: call.k, outputs: call.n, g: useOwn ? call.a.unsafelyUnwrapped : UnsafePointer(a.start),
                                        packed: useOwn ? kernel.packed : UnsafePointer(b.start), zeros: kernel.bias,
                                        y: useOwn ? derivative.y : UnsafePointer(c.start), dz: useOwn ? call.c.unsafelyUnwrapped : c.start,
                                        biasGradient: bias, activation: kernel.activation, variant: kernel.variant)
        }
        if let kernel = call.kernel {
            return DenseKernel.forward(rows: call.m, inputs: call.k, outputs: call.n, x: useOwn ? call.a.unsafelyUnwrapped : UnsafePointer(a.start),
                                       packed: useOwn ? kernel.packed : UnsafePointer(b.start), bias: useOwn ? kernel.bias : UnsafePointer(bias.start),
                                       y: useOwn ? call.c.unsafelyUnwrapped : c.start, activation: kernel.activation, variant: kernel.variant)
        }
        Gemm.multiply(transposeA: call.transposeA, transposeB: call.transposeB, m: call.m, n: call.n, k: call.k,
                      a: useOwn ? call.a.unsafelyUnwrapped : UnsafePointer(a.start), lda: call.lda,
                      b: useOwn ? call.b.unsafelyUnwrapped : UnsafePointer(b.start), ldb: call.ldb,
                      beta: call.beta, c: useOwn ? call.c.unsafelyUnwrapped : c.start, ldc: call.n)
    }
}

extension MLP {
    /// The products of `forward(batch:packed:)`, on this model's buffers: sgemm calls, or with
    /// `packed` the kernel's fused layers.
    func forwardGemms(batch: Int, packed: PackedWeights? = nil) -> [GemmCall] {
        var x = UnsafePointer(inputStorage.start)
        return layers.indices.map { l in
            let layer = layers[l], y = outputStorage.start + outputOffsets[l]
            defer { x = UnsafePointer(y) }
            let kernel = packed.map {
                GemmCall.Kernel(packed: UnsafePointer($0.storage.start + $0.offsets[l]),
                                bias: UnsafePointer(parameterStorage.start + layer.biasOffset), activation: layer.activation,
                                variant: $0.variant)
            }
            return GemmCall(transposeA: false, transposeB: false, m: batch, n: layer.outputs, k: layer.inputs, beta: 0,
                            a: x, b: parameterStorage.start + layer.weightOffset, c: y, kernel: kernel)
        }
    }

    /// The products of `backward(batch:parameterGradients:inputGradient:transposed:)`, in order, on
    /// this model's buffers (the delta blocks alternate as in `MLP+Passes.swift`; only the top
    /// layer's elementwise sweep writes the dZ the first product reads, so replays are idempotent).
    /// With `transposed`, the dX products are the kernel's (packed Wᵀ, zero bias, no activation),
    /// or fused with the layer below's derivative and bias gradient, as the step runs them.
    func backwardGemms(batch: Int, mode: GradientMode, inputGradient: Bool, transposed: TransposedWeights? = nil) -> [GemmCall] {
        if mode == .skip && !inputGradient { return [] }
        var calls: [GemmCall] = []
        let blocks = (deltaStorage.0.start, deltaStorage.1.start)
        let fuse = transposed?.fusesBackward ?? false
        var dz = blocks.0
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[l]
            let x = l == 0 ? inputStorage.start : outputStorage.start + outputOffsets[l - 1]
            if mode != .skip {
                calls.append(GemmCall(transposeA: true, transposeB: false, m: layer.inputs, n: layer.outputs, k: batch,
                                      beta: mode == .accumulate ? 1 : 0, a: x, b: dz, c: gradientStorage.start + layer.weightOffset))
            }
            let other = dz == blocks.0 ? blocks.1 : blocks.0
            if l > 0 || inputGradient {
                var kernel = transposed.map {
                    GemmCall.Kernel(packed: UnsafePointer($0.storage.start + $0.offsets[l]), bias: UnsafePointer($0.zeros.start),
                                    activation: .linear, variant: $0.variant)
                }
                if fusesDerivative(into: l, fused: fuse) {
                    kernel?.activation = layers[l - 1].activation
                    kernel?.derivative = (UnsafePointer(x), mode == .skip ? nil : gradientStorage.start + layers[l - 1].biasOffset,
                                          mode != .accumulate)
                }
                calls.append(GemmCall(transposeA: false, transposeB: true, m: batch, n: layer.inputs, k: layer.outputs, beta: 0,
                                      a: dz, b: parameterStorage.start + layer.weightOffset,
                                      c: l > 0 ? other : inputGradientStorage.start, kernel: kernel))
            }
            // Unfused, the next layer's sweep reads dX from `other` and writes its dZ to the block after it: the same block as dz.
            if l > 0, !fusesDerivative(into: l, fused: fuse) { continue }
            dz = other
        }
        return calls
    }
}
