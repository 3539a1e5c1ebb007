import XCTest
@testable import NN
@testable import Support

/// The packed inference kernel (CBLAS's dense_kernel.h through `DenseKernel`), both variants, against
/// its scalar twin, bit for bit: all are bias[c] then the k fused multiply-adds in order.
final class DenseKernelTests: XCTestCase {
    /// LeakyReLU with slopes in (0, 1] runs as one max on AVX2, other slopes as compare + blend.
    static let activations: [Activation] = [.linear, .relu, .leakyReLU(0.2), .leakyReLU(1), .leakyReLU(1.5),
                                            .leakyReLU(-0.5), .tanh, .sigmoid]
    /// Odd shapes: rows around the kernels' row blocks (AVX-512 12, 4, 1; AVX2 strips of 48 in
    /// blocks of 6, 4, 2, 1 rows × 16 columns, or 12, 8, 4, 2, 1 rows × 8 for a last group of ≤ 8
    /// columns), columns around the 8- and 16-lane groups and 32-column panels, k = 1; then the
    /// narrow layers of generation with their own AVX2 paths (noise 16/17 → 64, 128 → 17, 128 → 4,
    /// 128 → 10, the decoder's 4 → 8 and 8 → 64, 512 → 17) at row counts that leave every tail block;
    /// then the narrow path (a last 1 … 4 columns with rows across the lanes, from 16 rows and k ≥ 8,
    /// also under AVX-512 for a last panel of ≤ 20 columns): blocks of 64 rows with ragged ends (1, 4,
    /// 5 and 8 row vectors, a partial vector), inputs in chunks of 32 with partial 8-wide tiles, 1, 2,
    /// 3 and 4 columns, after 0, 16, 32 and 48 wide columns.
    static let shapes: [(rows: Int, k: Int, n: Int)] = [(3, 4, 5), (13, 37, 33), (29, 16, 17), (1, 1, 1),
                                                          (25, 64, 64), (12, 5, 32), (4, 3, 31), (17, 9, 48),
                                                          (23, 6, 13), (11, 20, 26), (7, 3, 24), (35, 2, 40),
                                                          (37, 17, 64), (47, 16, 64), (37, 128, 17), (23, 128, 4),
                                                          (27, 128, 10), (38, 4, 8), (41, 8, 64), (19, 512, 17),
                                                          (16, 8, 1), (100, 128, 17), (65, 8, 3), (130, 45, 20),
                                                          (70, 33, 18), (29, 40, 4), (150, 17, 33), (66, 20, 52),
                                                          (93, 70, 2), (64, 9, 49)]
    /// Shapes from this index on also get ±∞ and NaN inputs (compared on the activations the kernel
    /// applies itself: linear, ReLU, LeakyReLU).
    static let nonFiniteFrom = 20

    /// AVX-512 reads panels of 32 columns, AVX2 of 16, zero padded.
    func testPackedLayoutIsPanelsOfTheVariantsWidthZeroPadded() {
        let (k, n) = (3, 35)
        let w = (0..<(k * n)).map { Float($0 + 1) }
        XCTAssertEqual(DenseKernel.Variant.avx512.panelWidth, 32)
        XCTAssertEqual(DenseKernel.Variant.avx2.panelWidth, 16)
        for variant in DenseKernel.Variant.allCases {
            let width = variant.panelWidth, panels = (n + width - 1) / width
            var packed = [Float](repeating: -1, count: DenseKernel.packedCount(inputs: k, outputs: n))
            XCTAssertEqual(packed.count, 3 * 64)
            packed.withUnsafeMutableBufferPointer { DenseKernel.pack(w, inputs: k, outputs: n, into: $0.baseAddress!, variant: variant) }
            for j in 0..<panels {
                for p in 0..<k {
                    for c in 0..<width {
                        let column = j * width + c
                        XCTAssertEqual(packed[(j * k + p) * width + c], column < n ? w[p * n + column] : 0, "\(variant) panel \(j) row \(p) col \(c)")
                    }
                }
            }
            // Beyond the variant's panels the slot is zero (AVX2: 3 panels of 16 in room for 2 of 32).
            XCTAssertEqual(Set(packed[(panels * k * width)...]), width == 16 ? [0] : [], "\(variant)")
        }
    }

    /// The twin itself: within float rounding of a Double product (Gemm's reference) plus bias.
    func testReferenceTwinIsTheAffineMapThenTheActivation() {
        let (rows, k, n) = (5, 7, 6)
        let x = randomValues(rows * k, seed: 1), w = randomValues(k * n, seed: 2), bias = randomValues(n, seed: 3)
        for activation in Self.activations {
            var y = [Float](repeating: 0, count: rows * n), product = y
            y.withUnsafeMutableBufferPointer {
                DenseKernel.reference(rows: rows, inputs: k, outputs: n, x: x, w: w, bias: bias, y: $0.baseAddress!, activation: activation)
            }
            product.withUnsafeMutableBufferPointer {
                Gemm.reference(transposeA: false, transposeB: false, m: rows, n: n, k: k, a: x, lda: k, b: w, ldb: n,
                               beta: 0, c: $0.baseAddress!, ldc: n)
            }
            let expected = (0..<(rows * n)).map { Double(activation.apply(product[$0] + bias[$0 % n])) }
            assertClose(y, expected, absolute: 1e-6, relative: 1e-5, "\(activation)")
        }
    }

    /// The variants this CPU runs (the CI machines run both).
    func variants() throws -> [DenseKernel.Variant] {
        let supported = DenseKernel.Variant.allCases.filter(\.isSupported)
        try XCTSkipIf(supported.isEmpty, "this CPU has neither AVX2 + FMA nor AVX-512")
        return supported
    }

    func testKernelMatchesTwinBitwise() throws {
        for variant in try variants() {
            try check(variant)
        }
    }

    func check(_ variant: DenseKernel.Variant) throws {
        for (i, shape) in Self.shapes.enumerated() {
            var x = randomValues(shape.rows * shape.k, seed: UInt64(10 + i), low: -2, high: 2)
            let nonFinite = i >= Self.nonFiniteFrom
            if nonFinite { (x[3], x[x.count - 2], x[x.count / 2]) = (.infinity, -.infinity, .nan) }
            let w = randomValues(shape.k * shape.n, seed: UInt64(20 + i)), bias = randomValues(shape.n, seed: UInt64(30 + i))
            var packed = [Float](repeating: .nan, count: DenseKernel.packedCount(inputs: shape.k, outputs: shape.n))
            packed.withUnsafeMutableBufferPointer { DenseKernel.pack(w, inputs: shape.k, outputs: shape.n, into: $0.baseAddress!, variant: variant) }
            for activation in Self.activations where !(nonFinite && [.tanh, .sigmoid].contains(activation)) {
                // A guard column past the end of y shows the kernel writes nothing beyond its rows × n.
                var fast = [Float](repeating: 7, count: shape.rows * shape.n + 1), slow = fast
                fast.withUnsafeMutableBufferPointer {
                    DenseKernel.forward(rows: shape.rows, inputs: shape.k, outputs: shape.n, x: x, packed: packed, bias: bias,
                                        y: $0.baseAddress!, activation: activation, variant: variant)
                }
                slow.withUnsafeMutableBufferPointer {
                    DenseKernel.reference(rows: shape.rows, inputs: shape.k, outputs: shape.n, x: x, w: w, bias: bias,
                                          y: $0.baseAddress!, activation: activation)
                }
                XCTAssertEqual(fast.map(\.bitPattern), slow.map(\.bitPattern), "\(variant) \(shape) \(activation)")
                XCTAssertEqual(fast.last, 7, "\(variant) \(shape) \(activation): wrote past the output")
            }
        }
    }

    /// A row's output is the same whether it runs in a 12-row block, a 4-row block or alone, so
    /// generation's tables do not depend on how rows are split into chunks or ranks.
    /// And the variants agree with each other: the same events on AVX2 and AVX-512 machines.
    func testRowsDoNotDependOnTheirBatchOrTheVariant() throws {
        let model = try MLP(widths: [5, 40, 33, 7], activations: [.leakyReLU(0.2), .relu, .linear], maxBatch: 29, seed: 6)
        let x = randomValues(29 * 5, seed: 7)
        var results: [[UInt32]] = []
        for variant in try variants() {
            let packed = PackedWeights(packing: model, variant: variant)
            let whole = x.withUnsafeBufferPointer { Array(model.forward($0, batch: 29, packed: packed)) }
            var pieces: [Float] = []
            for range in [0..<1, 1..<14, 14..<19, 19..<29] {
                let rows = Array(x[(range.lowerBound * 5)..<(range.upperBound * 5)])
                pieces += rows.withUnsafeBufferPointer { Array(model.forward($0, batch: range.count, packed: packed)) }
            }
            XCTAssertEqual(whole.map(\.bitPattern), pieces.map(\.bitPattern), "\(variant)")
            results.append(whole.map(\.bitPattern))
        }
        XCTAssertEqual(Set(results).count, 1, "the variants differ")
    }

    /// The packed forward is the model's forward (within the summation order), fills the same
    /// buffers (layer outputs, the input copy), and without packed weights is `forward(batch:)` itself.
    func testPackedForwardIsTheModelsForward() throws {
        let model = try MLP(widths: [6, 21, 5, 35, 4], activations: [.tanh, .leakyReLU(0.1), .sigmoid, .linear], maxBatch: 19, seed: 8)
        try model.setInputCopy(InputCopy(layer: 1, inputs: [0, 5], outputs: [3, 4]))
        let x = randomValues(19 * 6, seed: 9)
        let plain = x.withUnsafeBufferPointer { Array(model.forward($0, batch: 19)) }
        let bottleneck = Array(model.layerOutput(1, batch: 19))
        let unpacked = x.withUnsafeBufferPointer { Array(model.forward($0, batch: 19, packed: nil)) }
        XCTAssertEqual(unpacked.map(\.bitPattern), plain.map(\.bitPattern))
        try XCTSkipUnless(DenseKernel.isAvailable, "this CPU has no AVX2 (or LATENTSIM_DENSE_KERNEL=blas)")
        let packed = try XCTUnwrap(PackedWeights(model))
        let fast = x.withUnsafeBufferPointer { Array(model.forward($0, batch: 19, packed: packed)) }
        assertClose(fast, plain, absolute: 1e-6, relative: 1e-5, "output")
        assertClose(Array(model.layerOutput(1, batch: 19)), bottleneck, absolute: 1e-6, relative: 1e-5, "layer 1")
        for r in 0..<19 {
            XCTAssertEqual(model.layerOutput(1, batch: 19)[r * 5 + 3], x[r * 6], "input copy, row \(r)")
            XCTAssertEqual(model.layerOutput(1, batch: 19)[r * 5 + 4], x[r * 6 + 5], "input copy, row \(r)")
        }
        XCTAssertEqual(model.forwardBatch, 19)
    }
}
