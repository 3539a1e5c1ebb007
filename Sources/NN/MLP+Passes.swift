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
    /// `transposed` (this model's current Wᵀ packed) the dX products run through `DenseKernel`, and a
    /// hidden layer's dZ with its bias gradient comes straight out of the product above it
    /// (`DenseLayer.fusedInputGradient`: the same bits, one sweep less).
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
        // dZ and dX go to the two delta blocks, never in place (the dZ sweep only vectorizes when
        // its input and output do not alias): a layer's dZ goes to the block its dY is not in, its
        // dX (or, fused, the layer below's dZ) to the other one.
        let blocks = (deltaStorage.0.start, deltaStorage.1.start)
        let fuse = transposed?.fusesBackward ?? false
        // Set when the layer above wrote this layer's dZ and bias gradient (fused into its dX product).
        var ready: UnsafeMutablePointer<Float>?
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[l]
            let x = l == 0 ? inputStorage.start : outputs + outputOffsets[l - 1]
            let kernel = transposed.map {
                DenseLayer.InputGradientKernel(packed: UnsafePointer($0.storage.start + $0.offsets[l]),
                                               zeros: UnsafePointer($0.zeros.start), variant: $0.variant)
            }
            let dz: UnsafeMutablePointer<Float>
            if let ready {
                dz = ready
            } else {
                dz = dy == UnsafePointer(blocks.0) ? blocks.1 : blocks.0
                // dy of a hidden layer is the block the layer above wrote (setInputCopy refuses the last layer).
                if let copy = inputCopy, copy.layer == l {
                    clearCopiedGradient(copy, dy: UnsafeMutablePointer(mutating: dy), batch: batch, keep: wantInput)
                }
                Kernels.activationBackward(dy: dy, y: outputs + outputOffsets[l], dz: dz, rows: batch, cols: layer.outputs,
                                           activation: layer.activation, biasGradient: grads.map { $0 + layer.biasOffset },
                                           accumulate: mode == .accumulate)
            }
            layer.weightGradient(x: x, dz: dz, batch: batch, gradients: grads, accumulate: mode == .accumulate)
            ready = nil
            let other = dz == blocks.0 ? blocks.1 : blocks.0
            if let kernel, fusesDerivative(into: l, fused: fuse) {
                layer.fusedInputGradient(dz: dz, into: other, batch: batch, kernel: kernel, below: layers[l - 1],
                                         belowOutput: x, gradients: grads, accumulate: mode == .accumulate)
                ready = other
            } else if l > 0 {
                layer.inputGradient(dz: dz, dx: other, batch: batch, parameters: params, kernel: kernel)
                dy = UnsafePointer(other)
            } else if wantInput {
                layer.inputGradient(dz: dz, dx: inputGradientStorage.start, batch: batch, parameters: params, kernel: kernel)
            }
        }
        if wantInput, let copy = inputCopy { addCopiedGradient(copy, into: inputGradientStorage.start, batch: batch) }
    }
}

extension MLP {
    /// Whether layer l's input-gradient product also applies layer l − 1's activation derivative and
    /// bias gradient (`DenseLayer.fusedInputGradient`, `DenseKernel.backward`) when the step runs on
    /// packed Wᵀ that fuse (`fused`: `TransposedWeights.fusesBackward`). The one rule the step
    /// (`backward`) and the benchmark's replays (`backwardGemms`, `backwardSweeps`) follow; never with
    /// an input copy, whose gradient is cleared between the product and the sweep.
    func fusesDerivative(into l: Int, fused: Bool) -> Bool {
        fused && inputCopy == nil && l > 0 && DenseKernel.fusesDerivative(layers[l - 1].activation)
    }
}
