import Support
/// One fully connected layer y = f(x·W + b) of an `MLP`, described by where its parameters
/// sit in the model's fused parameter buffer (the gradient buffer has the same layout).
///
/// W is stored row-major inputs × outputs (W[i][o], the Keras kernel layout), followed
/// directly by the `outputs` biases.
public struct DenseLayer: Sendable, Equatable {
    public let inputs: Int
    public let outputs: Int
    public let activation: Activation
    /// Offset of W in the parameter and gradient buffers.
    public let weightOffset: Int
    /// Offset of b in the parameter and gradient buffers (= weightOffset + inputs·outputs).
    public var biasOffset: Int { weightOffset + inputs * outputs }
    public var parameterCount: Int { inputs * outputs + outputs }

    public init(inputs: Int, outputs: Int, activation: Activation, weightOffset: Int) {
        self.inputs = inputs
        self.outputs = outputs
        self.activation = activation
        self.weightOffset = weightOffset
    }

    /// Where this layer's packed Wᵀ sits (`TransposedWeights`), for dX through `DenseKernel`.
    struct InputGradientKernel {
        var packed: UnsafePointer<Float>
        var zeros: UnsafePointer<Float>
        var variant: DenseKernel.Variant
    }

    /// Multiply-adds ×2 of the forward pass for `batch` rows.
    public func forwardFlops(batch: Int) -> Double { 2 * Double(batch * inputs * outputs) }

    /// y (batch × outputs) = f(x·W + b): one sgemm with β = 0, then one fused bias+activation sweep.
    /// The bias pre-filled into y with β = 1 is no faster (measured on the gen17 sampler shapes,
    /// 1024 rows, OpenBLAS 0.3.21 SkylakeX): it trades OpenBLAS's zeroing pass for a fill pass,
    /// and the sweep is ≈ 4 % of the forward against ≈ 93 % in sgemm.
    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch: Int,
                 parameters: UnsafePointer<Float>) {
        Gemm.multiply(transposeA: false, transposeB: false, m: batch, n: outputs, k: inputs,
                      a: x, lda: inputs, b: parameters + weightOffset, ldb: outputs,
                      beta: 0, c: y, ldc: outputs)
        Kernels.biasActivation(y, bias: parameters + biasOffset, rows: batch, cols: outputs,
                               activation: activation)
    }

    /// Backward from dY (gradient wrt this layer's output y):
    ///   dZ = dY ⊙ f'(z)              (written to `dz`, which may equal `dy`; bias gradient in the same sweep)
    ///   dW (+)= xᵀ·dZ                (sgemm, β = 1 when accumulating, skipped when `gradients` is nil)
    ///   dX  = dZ·Wᵀ                  (sgemm, only when `dx` is given; with `kernel`, DenseKernel on packed Wᵀ)
    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dz: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int,
                  parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>?,
                  accumulate: Bool, kernel: InputGradientKernel? = nil) {
        Kernels.activationBackward(dy: dy, y: y, dz: dz, rows: batch, cols: outputs,
                                   activation: activation,
                                   biasGradient: gradients.map { $0 + biasOffset }, accumulate: accumulate)
        weightGradient(x: x, dz: dz, batch: batch, gradients: gradients, accumulate: accumulate)
        if let dx { inputGradient(dz: dz, dx: dx, batch: batch, parameters: parameters, kernel: kernel) }
    }

    /// dW (+)= xᵀ·dZ (sgemm; nothing when `gradients` is nil).
    func weightGradient(x: UnsafePointer<Float>, dz: UnsafePointer<Float>, batch: Int, gradients: UnsafeMutablePointer<Float>?,
                        accumulate: Bool) {
        guard let gradients else { return }
        Gemm.multiply(transposeA: true, transposeB: false, m: inputs, n: outputs, k: batch,
                      a: x, lda: inputs, b: dz, ldb: outputs,
                      beta: accumulate ? 1 : 0, c: gradients + weightOffset, ldc: outputs)
    }

    /// dX = dZ·Wᵀ: DenseKernel on packed Wᵀ with `kernel`, else sgemm.
    func inputGradient(dz: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, batch: Int, parameters: UnsafePointer<Float>,
                       kernel: InputGradientKernel?) {
        if let kernel {
            DenseKernel.forward(rows: batch, inputs: outputs, outputs: inputs, x: dz, packed: kernel.packed, bias: kernel.zeros,
                                y: dx, activation: .linear, variant: kernel.variant)
        } else {
            Gemm.multiply(transposeA: false, transposeB: true, m: batch, n: inputs, k: outputs,
                          a: dz, lda: outputs, b: parameters + weightOffset, ldb: outputs,
                          beta: 0, c: dx, ldc: inputs)
        }
    }

    /// The layer below's dZ straight from this layer's: dZ_below = (dZ·Wᵀ) ⊙ f'_below(z_below), with
    /// the layer below's bias gradient (`below` its layer, `belowOutput` its stored output) in the
    /// kernel's epilogue (`DenseKernel.backward`): bitwise `inputGradient` then the layer below's
    /// activation-backward sweep, without that sweep's pass over the block.
    func fusedInputGradient(dz: UnsafePointer<Float>, into belowDz: UnsafeMutablePointer<Float>, batch: Int, kernel: InputGradientKernel,
                            below: DenseLayer, belowOutput: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>?,
                            accumulate: Bool) {
        let bias = gradients.map { $0 + below.biasOffset }
        if let bias, !accumulate { bias.update(repeating: 0, count: below.outputs) }
        DenseKernel.backward(rows: batch, inputs: outputs, outputs: inputs, g: dz, packed: kernel.packed, zeros: kernel.zeros,
                             y: belowOutput, dz: belowDz, biasGradient: bias, activation: below.activation, variant: kernel.variant)
    }
}
