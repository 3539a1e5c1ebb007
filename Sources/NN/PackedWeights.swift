import Support
/// An MLP's weights packed for `DenseKernel`, one contiguous buffer with each layer's panels at its
/// own offset. A copy: inference packs once; training repacks after every optimizer update
/// (`PackedWeights+Training.swift`).
public final class PackedWeights {
    let storage: FloatStorage
    let offsets: [Int]
    /// The parameter buffer packed (checked on use: the biases are that buffer's; a model and its
    /// worker replicas share it, so one packed copy serves them all).
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
        let (offsets, total) = PackedWeights.layout(model, transposed: false)
        storage = FloatStorage(count: total)
        self.offsets = offsets
        self.model = ObjectIdentifier(model.parameterStorage)
        self.variant = variant
        let parameters = UnsafePointer(model.parameterStorage.start)
        for (layer, offset) in zip(model.layers, offsets) {
            DenseKernel.pack(parameters + layer.weightOffset, inputs: layer.inputs, outputs: layer.outputs,
                             into: storage.start + offset, variant: variant)
        }
    }
}
