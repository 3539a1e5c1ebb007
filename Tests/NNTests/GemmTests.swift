import XCTest
@testable import NN
@testable import Support

final class GemmTests: XCTestCase {
    /// OpenBLAS sgemm against the plain-loop twin for all four transpose variants, β 0 and 1,
    /// and padded leading dimensions.
    func testSgemmMatchesReferenceForAllTransposes() {
        let (m, n, k, pad) = (7, 5, 9, 3)
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                for beta: Float in [0, 1] {
                    let lda = (transposeA ? m : k) + pad, ldb = (transposeB ? k : n) + pad, ldc = n + pad
                    let a = randomValues((transposeA ? k : m) * lda, seed: 1)
                    let b = randomValues((transposeB ? n : k) * ldb, seed: 2)
                    let c0 = randomValues(m * ldc, seed: 3)
                    var fast = c0, slow = c0
                    fast.withUnsafeMutableBufferPointer { c in
                        Gemm.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.75,
                                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c.baseAddress!, ldc: ldc)
                    }
                    slow.withUnsafeMutableBufferPointer { c in
                        Gemm.reference(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.75,
                                       a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c.baseAddress!, ldc: ldc)
                    }
                    assertClose(fast, slow, absolute: 1e-5, relative: 1e-5, "T\(transposeA) T\(transposeB) β\(beta)")
                    // Padding columns of C are never touched.
                    for r in 0..<m { for c in n..<ldc { XCTAssertEqual(fast[r * ldc + c], c0[r * ldc + c]) } }
                }
            }
        }
    }

    /// The reference twin itself against a hand-computed product.
    func testReferenceTwinOnKnownProduct() {
        let a: [Float] = [1, 2, 3, 4, 5, 6]      // 2×3
        let b: [Float] = [7, 8, 9, 10, 11, 12]   // 3×2
        var c = [Float](repeating: 99, count: 4)
        c.withUnsafeMutableBufferPointer { out in
            Gemm.reference(transposeA: false, transposeB: false, m: 2, n: 2, k: 3, a: a, lda: 3, b: b, ldb: 2,
                           beta: 0, c: out.baseAddress!, ldc: 2)
        }
        XCTAssertEqual(c, [58, 64, 139, 154])
    }

    /// The layer-shaped calls the engine issues, at training size, against the twin.
    func testLayerShapedCallsAtBatch512() {
        let (batch, nIn, nOut) = (512, 17, 128)
        let x = randomValues(batch * nIn, seed: 4), w = randomValues(nIn * nOut, seed: 5), dz = randomValues(batch * nOut, seed: 6)
        let calls: [(Bool, Bool, Int, Int, Int, [Float], Int, [Float], Int)] = [
            (false, false, batch, nOut, nIn, x, nIn, w, nOut),   // forward  x·W
            (true, false, nIn, nOut, batch, x, nIn, dz, nOut),   // dW = xᵀ·dZ
            (false, true, batch, nIn, nOut, dz, nOut, w, nOut),  // dX = dZ·Wᵀ
        ]
        for (ta, tb, m, n, k, a, lda, b, ldb) in calls {
            var fast = [Float](repeating: 0, count: m * n), slow = fast
            fast.withUnsafeMutableBufferPointer {
                Gemm.multiply(transposeA: ta, transposeB: tb, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: $0.baseAddress!, ldc: n)
            }
            slow.withUnsafeMutableBufferPointer {
                Gemm.reference(transposeA: ta, transposeB: tb, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: $0.baseAddress!, ldc: n)
            }
            assertClose(fast, slow, absolute: 1e-4, relative: 1e-4, "\(ta)\(tb) \(m)x\(k)x\(n)")
        }
    }
}

/// The OpenBLAS core type latentsim asks for on CPUs the installed OpenBLAS does not recognise.
final class BLASCoreTypeTests: XCTestCase {
    func testGenericKernelsAreReplacedByTheBestTheCPUSupports() {
        XCTAssertEqual(BLAS.coreType(current: "Prescott", avx512: true, avx2: true), "SkylakeX")
        XCTAssertEqual(BLAS.coreType(current: "prescott", avx512: false, avx2: true), "Haswell")
        XCTAssertNil(BLAS.coreType(current: "Prescott", avx512: false, avx2: false), "an old CPU keeps the generic kernel")
        XCTAssertNil(BLAS.coreType(current: "SkylakeX", avx512: true, avx2: true), "a recognised CPU keeps OpenBLAS's choice")
        XCTAssertNil(BLAS.coreType(current: "Zen", avx512: false, avx2: true))
    }
}
