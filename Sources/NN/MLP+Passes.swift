import Support
/// What `MLP.backward` does with the parameter gradients.
public enum GradientMode: Sendable, Equatable {
    /// gradients ← this batch's gradient (β = 0; no zeroing pass needed).
    case overwrite
    /// gradients += this batch's gradient (β = 1), e.g. real and generated halves in two calls.
    case accumulate
    /// Leave the gradient buffer untouched: backprop through a frozen model for its input gradient.
    case skip
}

extension MLP {
    /// Forward pass over the first `batch` rows already in `input`; returns the output rows.
    /// Layer outputs stay in the model's workspace for `backward`. With `packed` (this model's
    /// current weights packed, PackedWeights.swift; a replica may use its primary's) every layer runs through `DenseKernel`
    /// instead of sgemm then the bias+activation sweep: the same buffers, and results that differ
    /// from OpenBLAS's in the last bits (another summation order). The biases are read from the model.
    @discardableResult
    public func forward(batch: Int, packed: PackedWeights? = nil) -> UnsafeMutableBufferPointer<Float> {
        precondition(batch > 0 && batch <= maxBatch, "batch \(batch) outside 1...\(maxBatch)")
        precondition(packed.map { $0.model == ObjectIdentifier(parameterStorage) } ?? true, "weights packed from another model")
        let params = UnsafePointer(parameterStorage.start)
        let outputs = outputStorage.start
        var x = UnsafePointer(inputStorage.start)
        for l in 0..<layers.count {
            let layer = layers[l], y = outputs + outputOffsets[l]
            if let packed {
                DenseKernel.forward(rows: batch, inputs: layer.inputs, outputs: layer.outputs, x: x,
                                    packed: packed.storage.start + packed.offsets[l], bias: params + layer.biasOffset,
                                    y: y, activation: layer.activation, variant: packed.variant)
            } else {
                layer.forward(x: x, y: y, batch: batch, parameters: params)
            }
            if let copy = inputCopy, copy.layer == l { applyInputCopy(copy, y: y, batch: batch) }
            x = UnsafePointer(y)
        }
        forwardBatch = batch
        return output(batch: batch)
    }

    /// Copies `batch` rows of `x` (batch × inputWidth) into `input`, then runs `forward(batch:packed:)`.
    @discardableResult
    public func forward(_ x: UnsafeBufferPointer<Float>, batch: Int, packed: PackedWeights? = nil) -> UnsafeMutableBufferPointer<Float> {
        let count = batch * inputWidth
        precondition(x.count >= count, "input holds \(x.count) values, need \(count)")
        if let source = x.baseAddress, source != UnsafePointer(inputStorage.start) {
            inputStorage.start.update(from: source, count: count)
        }
        return forward(batch: batch, packed: packed)
    }

    /// Backward pass from the loss gradient already written to `outputGradient`.
    public func backward(batch: Int, parameterGradients mode: GradientMode = .overwrite, inputGradient: Bool = false,
                         transposed: TransposedWeights? = nil) {
        backward(UnsafeBufferPointer(outputGradientStorage.buffer), batch: batch,
                 parameterGradients: mode, inputGradient: inputGradient, transposed: transposed)
    }

    /// Backward pass from dLoss/dOutput (`batch` × outputWidth, read only) for the batch of the
    /// last forward pass. Parameter gradients go to `gradients` per `mode`; with `inputGradient`
    /// dLoss/dInput is written to `inputGradient` (e.g. to continue into a generator). With
    /// `transposed` (this model's current Wᵀ packed) the dX products run through `DenseKernel`.
    public func backward(_ outputGradient: UnsafeBufferPointer<Float>, batch: Int,
                         parameterGradients mode: GradientMode = .overwrite, inputGradient wantInput: Bool = false,
                         transposed: TransposedWeights? = nil) {
        precondition(transposed.map { $0.model == ObjectIdentifier(parameterStorage) } ?? true, "weights packed from another model")
        precondition(batch == forwardBatch, "backward batch \(batch) differs from forward batch \(forwardBatch)")
        precondition(outputGradient.count >= batch * outputWidth, "output gradient too small")
        guard mode != .skip || wantInput, var dy = outputGradient.baseAddress else { return }
        let params = UnsafePointer(parameterStorage.start)
        let grads: UnsafeMutablePointer<Float>? = mode == .skip ? nil : gradientStorage.start
        let outputs = outputStorage.start
        // dZ always goes to the first delta block and dX to the second, never in place: the
        // fused dZ sweep only vectorizes when its input and output do not alias.
        let dz = deltaStorage.0.start, dxBlock = deltaStorage.1.start
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let x = l == 0 ? inputStorage.start : outputs + outputOffsets[l - 1]
            let dx: UnsafeMutablePointer<Float>? = l > 0 ? dxBlock : (wantInput ? inputGradientStorage.start : nil)
            // dy of a hidden layer is the dxBlock the layer above wrote (setInputCopy refuses the last layer).
            if let copy = inputCopy, copy.layer == l { clearCopiedGradient(copy, dy: dxBlock, batch: batch, keep: wantInput) }
            let kernel = transposed.map {
                DenseLayer.InputGradientKernel(packed: UnsafePointer($0.storage.start + $0.offsets[l]),
                                               zeros: UnsafePointer($0.zeros.start), variant: $0.variant)
            }
            layers[l].backward(x: x, y: outputs + outputOffsets[l], dy: dy, dz: dz, dx: dx, batch: batch,
                               parameters: params, gradients: grads, accumulate: mode == .accumulate, kernel: kernel)
            dy = UnsafePointer(dxBlock)
        }
        if wantInput, let copy = inputCopy { addCopiedGradient(copy, into: inputGradientStorage.start, batch: batch) }
    }
}
