import Support
/// Plain reference twins of the fused kernels: one concern per loop, scalar `Activation`
/// methods, Double sums. Used by the tests only.
extension Kernels {
    static func referenceBiasActivation(_ y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>,
                                        rows: Int, cols: Int, activation: Activation) {
        for r in 0..<rows {
            for c in 0..<cols { y[r * cols + c] += bias[c] }
        }
        for i in 0..<rows * cols { y[i] = activation.apply(y[i]) }
    }

    static func referenceActivationBackward(dy: UnsafePointer<Float>, y: UnsafePointer<Float>,
                                            dz: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                            activation: Activation,
                                            biasGradient: UnsafeMutablePointer<Float>?, accumulate: Bool) {
        for i in 0..<rows * cols { dz[i] = dy[i] * activation.derivative(output: y[i]) }
        guard let bias = biasGradient else { return }
        for c in 0..<cols {
            var sum = accumulate ? Double(bias[c]) : 0
            for r in 0..<rows { sum += Double(dz[r * cols + c]) }
            bias[c] = Float(sum)
        }
    }
}
