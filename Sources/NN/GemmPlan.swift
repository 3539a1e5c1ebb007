/// One sgemm call of a training step, by shape only (for FLOP counts and the sgemm-only
/// ceiling of the benchmark).
struct GemmCall: Equatable {
    var transposeA: Bool
    var transposeB: Bool
    var m: Int, n: Int, k: Int
    var beta: Float
    var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
    var label: String { "\(transposeA ? "T" : "N")\(transposeB ? "T" : "N") \(m)x\(k)·\(k)x\(n)" }
}

/// A list of sgemm calls, replayable on scratch buffers of the right sizes.
final class GemmPlan {
    let calls: [GemmCall]
    private let a: FloatStorage, b: FloatStorage, c: FloatStorage

    init(_ calls: [GemmCall], seed: UInt64 = 7) {
        self.calls = calls
        a = FloatStorage(count: calls.map { $0.m * $0.k }.max() ?? 1)
        b = FloatStorage(count: calls.map { $0.k * $0.n }.max() ?? 1)
        c = FloatStorage(count: calls.map { $0.m * $0.n }.max() ?? 1)
        var rng = Philox(seed: seed, stream: 0)
        rng.fillUniform(a.buffer, low: -1, high: 1)
        rng.fillUniform(b.buffer, low: -1, high: 1)
    }

    var flops: Double { calls.reduce(0) { $0 + $1.flops } }

    func run() { for call in calls { run(call) } }

    func run(_ call: GemmCall) {
        Gemm.multiply(transposeA: call.transposeA, transposeB: call.transposeB, m: call.m, n: call.n, k: call.k,
                      a: a.start, lda: call.transposeA ? call.m : call.k,
                      b: b.start, ldb: call.transposeB ? call.k : call.n,
                      beta: call.beta, c: c.start, ldc: call.n)
    }
}

extension MLP {
    /// The sgemm calls of `forward(batch:)`.
    func forwardGemms(batch: Int) -> [GemmCall] {
        layers.map { GemmCall(transposeA: false, transposeB: false, m: batch, n: $0.outputs, k: $0.inputs, beta: 0) }
    }

    /// The sgemm calls of `backward(batch:parameterGradients:inputGradient:)`, in order.
    func backwardGemms(batch: Int, mode: GradientMode, inputGradient: Bool) -> [GemmCall] {
        if mode == .skip && !inputGradient { return [] }
        var calls: [GemmCall] = []
        for (l, layer) in layers.enumerated().reversed() {
            if mode != .skip {
                calls.append(GemmCall(transposeA: true, transposeB: false, m: layer.inputs, n: layer.outputs, k: batch,
                                      beta: mode == .accumulate ? 1 : 0))
            }
            if l > 0 || inputGradient {
                calls.append(GemmCall(transposeA: false, transposeB: true, m: batch, n: layer.inputs, k: layer.outputs, beta: 0))
            }
        }
        return calls
    }
}
