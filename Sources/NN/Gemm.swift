import CBLAS
import Support

/// Row-major single-precision matrix multiply through OpenBLAS, plus a plain-loop twin.
///
/// C (m×n) = α·op(A)·op(B) + β·C where op(A) is m×k and op(B) is k×n. `lda`, `ldb`, `ldc` are
/// the row strides of A, B, C *as stored* (so a transposed A stored k×m has lda ≥ m).
public enum Gemm {
    @inline(__always)
    public static func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                alpha: Float = 1,
                                a: UnsafePointer<Float>, lda: Int,
                                b: UnsafePointer<Float>, ldb: Int,
                                beta: Float,
                                c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Reference twin of `multiply`: triple loop with Double accumulation (tests only compare
    /// against it). β = 0 ignores the previous contents of C, as BLAS does.
    static func reference(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                          alpha: Float = 1,
                          a: UnsafePointer<Float>, lda: Int,
                          b: UnsafePointer<Float>, ldb: Int,
                          beta: Float,
                          c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aip = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bpj = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(aip) * Double(bpj)
                }
                let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * sum + previous)
            }
        }
    }
}

/// Process-wide OpenBLAS settings.
public enum BLAS {
    /// OpenBLAS worker threads (OPENBLAS_NUM_THREADS at start-up). One per rank when MPI ranks
    /// fill the cores.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// The kernel family OpenBLAS picked for this CPU (e.g. "Zen", "SkylakeX").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The OPENBLAS_CORETYPE to ask for when OpenBLAS fell back to a generic kernel on a CPU it
    /// does not know (Debian 12's OpenBLAS 0.3.21 runs Sapphire Rapids as "Prescott": SSE3 sgemm,
    /// measured 5–7× slower than its SkylakeX kernels on the same machine); nil when its choice is fine.
    public static var betterCoreType: String? {
        coreType(current: coreName, avx512: ls_cpu_supports_avx512() != 0, avx2: ls_cpu_supports_avx2() != 0)
    }

    /// The decision behind `betterCoreType`, for given CPU features.
    public static func coreType(current: String, avx512: Bool, avx2: Bool) -> String? {
        let generic: Set<String> = ["prescott", "katmai", "coppermine", "northwood", "banias", "core2", "penryn",
                                    "dunnington", "nehalem", "atom", "unknown"]
        guard generic.contains(current.lowercased()) else { return nil }
        if avx512 { return "SkylakeX" }
        if avx2 { return "Haswell" }
        return nil
    }
}
