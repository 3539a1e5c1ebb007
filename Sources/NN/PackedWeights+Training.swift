import Support
/// Packed weights for training: the forward passes of a training step run through `DenseKernel`
/// (bias and activation fused, no packing per call) on a copy repacked, in place, whenever the
/// optimizer has changed the weights. The buffer is allocated once, so a step allocates nothing.
///
/// The forward results then follow the kernel's twin (`DenseKernel.reference`: bias, then the
/// k fused multiply-adds in order), not OpenBLAS's summation order; a row's result still does
/// not depend on its batch, so T workers, R ranks and the serial step see the same forward bits.
extension PackedWeights {
    /// A packed copy of `model` for its training step (and its worker replicas, which share its
    /// parameters); nil when this CPU does not run the kernel or LATENTSIM_DENSE_KERNEL=blas, and
    /// training then stays on OpenBLAS.
    public static func forTraining(_ model: MLP) -> PackedWeights? {
        PackedWeights(model)
    }

    /// Repacks `model`'s current weights into this buffer (the same model, or a replica of it).
    public func repack(_ model: MLP) {
        repack(model, part: 0, of: 1)
    }

    /// Part `part` of `parts` of `repack(_:)`: the layers split into contiguous runs of about
    /// equal parameter counts, so that in-process workers can pack concurrently (each writes its own
    /// layers). Every layer goes through `packRows` in the variant's panel layout; all parts
    /// together give bitwise `repack(_:)`.
    public func repack(_ model: MLP, part: Int, of parts: Int) {
        precondition(ObjectIdentifier(model.parameterStorage) == self.model, "weights packed from another model")
        precondition(parts >= 1 && (0..<parts).contains(part), "part \(part) of \(parts)")
        let parameters = UnsafePointer(model.parameterStorage.start)
        for l in 0..<model.layers.count {
            let layer = model.layers[l]
            guard PackedWeights.part(of: layer, in: model, parts: parts) == part else { continue }
            PackedWeights.packRows(parameters + layer.weightOffset, inputs: layer.inputs, outputs: layer.outputs,
                                   into: storage.start + offsets[l], width: variant.panelWidth)
        }
    }

    /// `DenseKernel.pack` (panels of P = `width` columns, the variant's `panelWidth`, panel j holding
    /// W[p][Pj ..< Pj+P] at packed[(j·k + p)·P ..], zero beyond n) in one streaming pass over W:
    /// row p's full panels are vector copies (16-float pieces when P is 16 or 32), its last partial
    /// panel a copy plus zero fill, the rest of the slot zero (`DenseKernel.zeroTail`). Bitwise the
    /// same buffer (a test compares them), several times faster, which matters when a training step
    /// packs every network after every update.
    static func packRows(_ w: UnsafePointer<Float>, inputs k: Int, outputs n: Int, into packed: UnsafeMutablePointer<Float>,
                         width: Int) {
        let full = n / width, left = n - width * full
        for p in 0..<k {
            let source = w + p * n
            for j in 0..<full {
                let row = packed + (j * k + p) * width
                if width == 32 || width == 16 {
                    let from = UnsafeRawPointer(source + width * j), to = UnsafeMutableRawPointer(row)
                    to.storeBytes(of: from.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                    if width == 32 {
                        to.storeBytes(of: from.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self), toByteOffset: 64, as: SIMD16<Float>.self)
                    }
                } else {
                    row.update(from: source + width * j, count: width)
                }
            }
            if left > 0 {
                let row = packed + (full * k + p) * width
                row.update(from: source + width * full, count: left)
                (row + left).update(repeating: 0, count: width - left)
            }
        }
        DenseKernel.zeroTail(packed, inputs: k, outputs: n, width: width)
    }

    /// The part of `parts` that packs `layer`: the one holding the middle of its parameters when
    /// the parameter buffer is cut into `parts` equal runs.
    static func part(of layer: DenseLayer, in model: MLP, parts: Int) -> Int {
        min(parts - 1, (2 * layer.weightOffset + layer.parameterCount) * parts / (2 * max(model.parameterCount, 1)))
    }

    /// Each layer's offset in one buffer of packed matrices, and the buffer's size: `transposed`
    /// packs Wᵀ (outputs × inputs, `TransposedWeights`), otherwise W.
    static func layout(_ model: MLP, transposed: Bool) -> (offsets: [Int], total: Int) {
        var offsets: [Int] = []
        var total = 0
        for layer in model.layers {
            offsets.append(total)
            total += transposed ? DenseKernel.packedCount(inputs: layer.outputs, outputs: layer.inputs)
                : DenseKernel.packedCount(inputs: layer.inputs, outputs: layer.outputs)
        }
        return (offsets, total)
    }
}
