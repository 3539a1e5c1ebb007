import CBLAS
import Foundation
import Support

/// A dense layer's inference forward y = f(x·W + b) in one pass over prepacked weights (CBLAS's
/// `dense_kernel.h`, AVX-512 or AVX2 + FMA), with its plain reference twin.
///
/// Every output is bias[c] followed by the k fused multiply-adds x[r][p]·W[p][c] in order p = 0 …
/// k − 1, so a row's result does not depend on the rows around it, and `reference` (a scalar loop
/// of the same fused multiply-adds) gives the same bits — as do both variants. Against OpenBLAS's
/// sgemm then a bias+activation sweep, it drops the zeroing pass, the packing of both operands on
/// every call and the separate sweep: on the paper's generator at 512 rows, 16 → … → 17, one core,
/// 40 interleaved pairs of 0.25 s in one process, AVX-512: median 143 GFLOP/s against 122 (paired
/// ratio 1.16–1.19 in two runs), best 163 against 133 (Sapphire Rapids, OpenBLAS 0.3.21 SkylakeX).
/// The AVX2 variant blocks for 16 ymm registers (6 rows × 16 columns; a layer's last 5 … 8 columns
/// in 12 rows × 8, its last 1 … 4 with the rows across the lanes) on weights packed in 16-column
/// panels (`Variant.panelWidth`; AVX-512: 32) and stores full groups unmasked;
/// the AVX-512 variant hands a last panel of ≤ 20 columns to the AVX2 code. On AMD Zen 4, 512 rows
/// per layer, thread CPU time, the AVX2 variant runs the wide layers at 0.81–0.96 of the measured
/// FMA peak (AVX-512: 0.93–0.99), 128 → 17 and 512 → 17 at ~0.74, 128 → 4 at ~0.45, on either ISA
/// (benchmarks/README.md).
public enum DenseKernel {
    /// Columns per packed panel of the widest layout (the AVX-512 variant's); buffers are sized for it
    /// (`packedCount`), which also holds the AVX2 variant's narrower panels (`Variant.panelWidth`).
    public static let panelWidth = 32
    /// Rows per inference sweep of a whole network when the caller's batch is larger (generation's
    /// sampler and decoder: `GeneratorModel.sweepRows`). Each sweep reuses the start of the model's
    /// workspace, so a network's activations stay in L2 (gen17 at 64 rows: 330 KB; at 512: 2.6 MB,
    /// more than a Zen 4 core's 1 MB) while the batch around it (noise, post-processing, HDF5 writes)
    /// keeps its size. Any value gives the same bits. Zen 4, thread CPU time, machine loaded by other
    /// jobs: a C harness (5 rounds, 20 interleaved passes each) put the gen17 and latent networks
    /// 6-11 % above one 512-row sweep at 64 rows, 2-7 % at 128; pushing one 512-row block through all
    /// layers 64 rows at a time into fresh rows of the buffers gained nothing (0-2 %).
    public static let sweepRows = 64

    public enum Variant: String, Sendable, CaseIterable {
        case avx512, avx2

        /// Columns per panel of the weights this variant reads (`pack`): 32 on AVX-512; 16 on AVX2,
        /// whose 6 × 16 register block then streams each column group's weights contiguously
        /// (dense_kernel.h).
        public var panelWidth: Int {
            switch self {
            case .avx512: Int(LS_AVX512_PANEL)
            case .avx2: Int(LS_AVX2_PANEL)
            }
        }

        /// Whether this CPU runs the variant.
        public var isSupported: Bool {
            #if arch(x86_64)
            switch self {
            case .avx512: return ls_cpu_supports_avx512() != 0
            case .avx2: return ls_cpu_supports_avx2() != 0
            }
            #else
            return false
            #endif
        }
    }

    /// The variant inference uses: the widest this CPU runs, or nil (OpenBLAS, as in training).
    /// LATENTSIM_DENSE_KERNEL=blas or =avx2 chooses for the process.
    public static let variant: Variant? = {
        let wanted = ProcessInfo.processInfo.environment["LATENTSIM_DENSE_KERNEL"]
        if wanted == "blas" { return nil }
        let allowed = wanted.flatMap(Variant.init(rawValue:)).map { [$0] } ?? Variant.allCases
        return allowed.first { $0.isSupported }
    }()

    public static var isAvailable: Bool { variant != nil }

    /// Floats of the packed form of an inputs × outputs weight matrix.
    public static func packedCount(inputs: Int, outputs: Int) -> Int {
        inputs * panels(outputs) * panelWidth
    }

    static func panels(_ outputs: Int) -> Int { (outputs + panelWidth - 1) / panelWidth }

    /// W (inputs × outputs, row-major) → panels of P = `variant.panelWidth` columns, each inputs × P
    /// (zero beyond outputs): the layout `variant` reads; the rest of the `packedCount` floats zero.
    static func pack(_ w: UnsafePointer<Float>, inputs k: Int, outputs n: Int, into packed: UnsafeMutablePointer<Float>,
                     variant: Variant) {
        let width = variant.panelWidth
        for j in 0..<(n + width - 1) / width {
            for p in 0..<k {
                let row = packed + (j * k + p) * width
                for c in 0..<width {
                    let column = j * width + c
                    row[c] = column < n ? w[p * n + column] : 0
                }
            }
        }
        zeroTail(packed, inputs: k, outputs: n, width: width)
    }

    /// Zeros the floats of a `packedCount` slot beyond panels of `width` columns (none for the widest),
    /// so a packed buffer's bits depend only on the weights and the variant.
    static func zeroTail(_ packed: UnsafeMutablePointer<Float>, inputs k: Int, outputs n: Int, width: Int) {
        let used = k * ((n + width - 1) / width) * width
        (packed + used).update(repeating: 0, count: packedCount(inputs: k, outputs: n) - used)
    }

    /// y (rows × n) = f(x·W + b) from W packed for `variant` (which this CPU must support).
    static func forward(rows: Int, inputs k: Int, outputs n: Int, x: UnsafePointer<Float>,
                        packed: UnsafePointer<Float>, bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                        activation: Activation, variant: Variant) {
        #if arch(x86_64)
        let (code, slope): (Int32, Float) = switch activation {
        case .relu: (LS_DENSE_RELU, 0)
        case .leakyReLU(let a): (LS_DENSE_LEAKY, a)
        case .linear, .tanh, .sigmoid: (LS_DENSE_LINEAR, 0)
        }
        switch variant {
        case .avx512: ls_dense_forward_avx512(rows, k, n, x, packed, bias, y, code, slope)
        case .avx2: ls_dense_forward_avx2(rows, k, n, x, packed, bias, y, code, slope)
        }
        switch activation {
        case .tanh, .sigmoid: Kernels.activate(y, rows: rows, cols: n, activation: activation)
        case .linear, .relu, .leakyReLU: break
        }
        #else
        preconditionFailure("DenseKernel.forward needs x86-64 with AVX2 or AVX-512; check isAvailable")
        #endif
    }

    /// Whether `backward` fuses `activation`'s derivative (the others go through the sweep).
    static func fusesDerivative(_ activation: Activation) -> Bool {
        switch activation {
        case .linear, .relu, .leakyReLU: true
        case .tanh, .sigmoid: false
        }
    }

    /// A hidden layer's training backward step fused into the layer above's input-gradient product
    /// (`dense_kernel.h`): dz (rows × n) = (g·Wᵀ) ⊙ f'(z) through the layer's stored output `y`, g
    /// (rows × k) the layer above's dZ, `packed` its Wᵀ (k × n) packed, `zeros` n zeros; with
    /// `biasGradient` also biasGradient[c] += Σ_r dz[r][c] in row order. Bitwise the kernel's linear
    /// product followed by `Kernels.activationBackward` (twin: `referenceBackward`). `activation`
    /// must be one `fusesDerivative` accepts.
    static func backward(rows: Int, inputs k: Int, outputs n: Int, g: UnsafePointer<Float>, packed: UnsafePointer<Float>,
                         zeros: UnsafePointer<Float>, y: UnsafePointer<Float>, dz: UnsafeMutablePointer<Float>,
                         biasGradient: UnsafeMutablePointer<Float>?, activation: Activation, variant: Variant) {
        #if arch(x86_64)
        let (code, slope): (Int32, Float) = switch activation {
        case .relu: (LS_DENSE_RELU, 0)
        case .leakyReLU(let a): (LS_DENSE_LEAKY, a)
        case .linear: (LS_DENSE_LINEAR, 0)
        case .tanh, .sigmoid: preconditionFailure("DenseKernel.backward fuses linear, ReLU and LeakyReLU only")
        }
        switch variant {
        case .avx512: ls_dense_backward_avx512(rows, k, n, g, packed, zeros, y, dz, biasGradient, code, slope)
        case .avx2: ls_dense_backward_avx2(rows, k, n, g, packed, zeros, y, dz, biasGradient, code, slope)
        }
        #else
        preconditionFailure("DenseKernel.backward needs x86-64 with AVX2 or AVX-512; check isAvailable")
        #endif
    }

    /// Reference twin of `backward` on the unpacked W (n × k, the layer above's weights): +0, then the
    /// fused multiply-adds g[r][p]·W[c][p] in order p, then y > 0 ? v : f'-scaled v, then the bias
    /// gradient summed row after row.
    static func referenceBackward(rows: Int, inputs k: Int, outputs n: Int, g: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                  y: UnsafePointer<Float>, dz: UnsafeMutablePointer<Float>,
                                  biasGradient: UnsafeMutablePointer<Float>?, activation: Activation) {
        for r in 0..<rows {
            for c in 0..<n {
                var sum: Float = 0
                for p in 0..<k { sum = sum.addingProduct(g[r * k + p], w[c * k + p]) }
                let out = y[r * n + c]
                let d: Float = switch activation {
                case .relu: out > 0 ? sum : 0
                case .leakyReLU(let slope): out > 0 ? sum : slope * sum
                default: sum
                }
                dz[r * n + c] = d
                if let biasGradient { biasGradient[c] += d }
            }
        }
    }

    /// Reference twin of `forward` on the unpacked W: the same fused multiply-adds in the same order,
    /// so the same bits (tests compare the two).
    static func reference(rows: Int, inputs k: Int, outputs n: Int, x: UnsafePointer<Float>,
                          w: UnsafePointer<Float>, bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                          activation: Activation) {
        for r in 0..<rows {
            for c in 0..<n {
                var sum = bias[c]
                for p in 0..<k { sum = sum.addingProduct(x[r * k + p], w[p * n + c]) }
                y[r * n + c] = activation.apply(sum)
            }
        }
    }
}
