/// An MLP's weights packed once for `DenseKernel` (inference only: a copy, so later training steps
/// are not seen), one contiguous buffer with each layer's panels at its own offset.
public final class PackedWeights {
    let storage: FloatStorage
    let offsets: [Int]
    /// The model packed (checked on use: the biases and buffers are that model's).
    let model: ObjectIdentifier
    /// The kernel variant `forward(batch:packed:)` runs.
    let variant: DenseKernel.Variant

    /// Packs `model`'s current weights; nil when this CPU does not run the kernel (see
    /// `DenseKernel.variant`), and `forward(batch:packed: nil)` then uses OpenBLAS.
    public convenience init?(_ model: MLP) {
        guard let variant = DenseKernel.variant else { return nil }
        self.init(packing: model, variant: variant)
    }

    /// Packs for `variant` (tests run both where the CPU can).
    init(packing model: MLP, variant: DenseKernel.Variant) {
        var offsets: [Int] = []
        var total = 0
        for layer in model.layers {
            offsets.append(total)
            total += DenseKernel.packedCount(inputs: layer.inputs, outputs: layer.outputs)
        }
        storage = FloatStorage(count: total)
        self.offsets = offsets
        self.model = ObjectIdentifier(model)
        self.variant = variant
        let parameters = UnsafePointer(model.parameterStorage.start)
        for (layer, offset) in zip(model.layers, offsets) {
            DenseKernel.pack(parameters + layer.weightOffset, inputs: layer.inputs, outputs: layer.outputs,
                             into: storage.start + offset)
        }
    }
}

extension MLP {
    /// Inference forward over the first `batch` rows of `input`, like `forward(batch:)` (same
    /// buffers, so `output` and `layerOutput` hold the results) but through `DenseKernel` on
    /// `packed`, weights packed from this model; with nil, exactly `forward(batch:)`. The biases are
    /// read from the model. Results differ from OpenBLAS's in the last bits (another summation order).
    @discardableResult
    public func forward(batch: Int, packed: PackedWeights?) -> UnsafeMutableBufferPointer<Float> {
        guard let packed else { return forward(batch: batch) }
        precondition(packed.model == ObjectIdentifier(self), "weights packed from another model")
        precondition(batch > 0 && batch <= maxBatch, "batch \(batch) outside 1...\(maxBatch)")
        let params = UnsafePointer(parameterStorage.start)
        let outputs = outputStorage.start
        var x = UnsafePointer(inputStorage.start)
        for l in 0..<layers.count {
            let layer = layers[l], y = outputs + outputOffsets[l]
            DenseKernel.forward(rows: batch, inputs: layer.inputs, outputs: layer.outputs, x: x,
                                packed: packed.storage.start + packed.offsets[l], bias: params + layer.biasOffset,
                                y: y, activation: layer.activation, variant: packed.variant)
            if let copy = inputCopy, copy.layer == l { applyInputCopy(copy, y: y, batch: batch) }
            x = UnsafePointer(y)
        }
        forwardBatch = batch
        return output(batch: batch)
    }

    /// Copies `batch` rows of `x` into `input`, then runs `forward(batch:packed:)`.
    @discardableResult
    public func forward(_ x: UnsafeBufferPointer<Float>, batch: Int, packed: PackedWeights?) -> UnsafeMutableBufferPointer<Float> {
        guard packed != nil else { return forward(x, batch: batch) }
        let count = batch * inputWidth
        precondition(x.count >= count, "input holds \(x.count) values, need \(count)")
        if let source = x.baseAddress, source != UnsafePointer(inputStorage.start) {
            inputStorage.start.update(from: source, count: count)
        }
        return forward(batch: batch, packed: packed)
    }
}
