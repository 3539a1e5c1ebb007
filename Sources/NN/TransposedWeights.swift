import CBLAS
import Support
/// An MLP's transposed weights packed for `DenseKernel`, for the input-gradient products of
/// training's backward passes: dX = dZ·Wᵀ runs as the kernel's forward on Wᵀ (outputs × inputs)
/// with a zero bias and no activation, so every dX[r][i] is +0 followed by the fused
/// multiply-adds dZ[r][o]·W[i][o] in order o = 0 … outputs − 1 (the twin: `DenseKernel.reference`
/// on Wᵀ). One buffer for all layers, allocated once; `repack` after every update.
public final class TransposedWeights {
    let storage: FloatStorage
    let offsets: [Int]
    /// The parameter buffer packed (a model and its replicas share it).
    let model: ObjectIdentifier
    let variant: DenseKernel.Variant
    /// Zeros, one per input of the widest layer: the kernel's bias.
    let zeros: FloatStorage
    /// Worker parts that may repack concurrently.
    let parts: Int
    /// Whether backward passes on these weights fuse each hidden layer's activation derivative and
    /// bias gradient into the product above it (`MLP.backward`); the same bits either way (tests
    /// turn it off to compare).
    var fusesBackward = true

    /// nil when this CPU does not run the kernel (`DenseKernel.variant`); `parts`: how many
    /// workers repack concurrently.
    public convenience init?(_ model: MLP, parts: Int = 1) {
        guard let variant = DenseKernel.variant else { return nil }
        self.init(model, parts: parts, variant: variant)
    }

    init(_ model: MLP, parts: Int, variant: DenseKernel.Variant) {
        let (offsets, total) = PackedWeights.layout(model, transposed: true)
        storage = FloatStorage(count: total)
        self.offsets = offsets
        self.model = ObjectIdentifier(model.parameterStorage)
        self.variant = variant
        zeros = FloatStorage(count: model.layers.map(\.inputs).max() ?? 1)
        self.parts = max(parts, 1)
        repack(model)
    }

    public func repack(_ model: MLP) {
        for part in 0..<parts { repack(model, part: part, of: parts) }
    }

    /// Part `part` of `parts` (at most the `parts` given at construction): the layers split as in
    /// `PackedWeights.repack(_:part:of:)`.
    public func repack(_ model: MLP, part: Int, of parts: Int) {
        precondition(ObjectIdentifier(model.parameterStorage) == self.model, "weights packed from another model")
        precondition((0..<parts).contains(part), "part \(part) of \(parts)")
        let parameters = UnsafePointer(model.parameterStorage.start)
        for l in 0..<model.layers.count {
            let layer = model.layers[l]
            guard PackedWeights.part(of: layer, in: model, parts: parts) == part else { continue }
            TransposedWeights.packTransposedFast(parameters + layer.weightOffset, inputs: layer.inputs, outputs: layer.outputs,
                                                 into: storage.start + offsets[l], width: variant.panelWidth)
        }
    }

    /// `packTransposed` through `dense_kernel.h`'s 8 × 8 register transposes (AVX2; every CPU that runs a
    /// DenseKernel variant has it), several times faster than the element loop; bitwise the same
    /// buffer (a copy; tests compare). Falls back to `packTransposed` off x86-64 or for panel widths
    /// other than 16 and 32.
    static func packTransposedFast(_ w: UnsafePointer<Float>, inputs k: Int, outputs n: Int, into packed: UnsafeMutablePointer<Float>,
                                   width: Int) {
        #if arch(x86_64)
        if width == 32 || width == 16 {
            ls_pack_transposed_avx2(k, n, w, packed, width)
            return DenseKernel.zeroTail(packed, inputs: n, outputs: k, width: width)
        }
        #endif
        packTransposed(w, inputs: k, outputs: n, into: packed, width: width)
    }

    /// `DenseKernel.pack` of Wᵀ (outputs × inputs) straight from W (inputs × outputs, row-major):
    /// with P = `width` (the variant's `panelWidth`), panel j holds Wᵀ[o][Pj ..< Pj+P] = W[Pj ..< Pj+P][o] at
    /// packed[(j·n + o)·P ..], zero beyond the inputs. Bitwise `DenseKernel.pack` of the transposed
    /// matrix (tests compare).
    static func packTransposed(_ w: UnsafePointer<Float>, inputs k: Int, outputs n: Int, into packed: UnsafeMutablePointer<Float>,
                               width: Int) {
        for j in 0..<(k + width - 1) / width {
            let panel = packed + j * n * width, columns = min(width, k - width * j)
            // Tiles of 16 outputs: each W row segment is one cache line.
            for o0 in stride(from: 0, to: n, by: 16) {
                let o1 = min(o0 + 16, n)
                for c in 0..<columns {
                    let source = w + (width * j + c) * n
                    for o in o0..<o1 { panel[o * width + c] = source[o] }
                }
                if columns < width {
                    for o in o0..<o1 { (panel + o * width + columns).update(repeating: 0, count: width - columns) }
                }
            }
        }
        DenseKernel.zeroTail(packed, inputs: n, outputs: k, width: width)
    }
}
