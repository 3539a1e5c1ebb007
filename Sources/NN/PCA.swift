import CBLAS
import Foundation
import Support

/// Principal component analysis as the linear baseline reducer: k features → n components.
/// Fitted from the global mean and the k×k covariance (the caller sums the per-rank moments, so the
/// fit is identical on every rank), eigen-decomposed with LAPACK's dsyevd.
public struct PCA: Codable, Sendable, Equatable {
    public let features: Int
    public let components: Int
    /// Feature means (k).
    public let mean: [Double]
    /// Row-major k × n projection, columns = principal axes by decreasing variance.
    public let axes: [Double]
    /// Variance along each kept axis, decreasing.
    public let variances: [Double]
    /// Total variance of the data (trace of the covariance).
    public let totalVariance: Double

    /// Local sufficient statistics of a block of rows: count, Σx (k), Σxxᵀ (k×k, row-major).
    public static func moments(_ x: UnsafeBufferPointer<Float>, rows: Int, features k: Int) -> [Double] {
        var out = [Double](repeating: 0, count: 1 + k + k * k)
        out[0] = Double(rows)
        guard rows > 0 else { return out }
        var block = [Double](repeating: 0, count: min(rows, 4096) * k)
        var start = 0
        while start < rows {
            let m = min(4096, rows - start)
            for i in 0..<(m * k) { block[i] = Double(x[start * k + i]) }
            for r in 0..<m { for j in 0..<k { out[1 + j] += block[r * k + j] } }
            out.withUnsafeMutableBufferPointer { o in
                block.withUnsafeBufferPointer { b in
                    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(k), Int32(m), 1.0, b.baseAddress, Int32(k),
                                1.0, o.baseAddress! + 1 + k, Int32(k))
                }
            }
            start += m
        }
        return out
    }

    /// Fits from (global) moments as returned by `moments` and summed over ranks.
    public init(moments: [Double], features k: Int, components n: Int) throws {
        precondition(moments.count == 1 + k + k * k && n >= 1 && n <= k)
        let count = moments[0]
        guard count > 1 else { throw PCAError.tooFewRows(Int(count)) }
        let mean = (0..<k).map { moments[1 + $0] / count }
        var cov = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in i..<k {
                let c = (moments[1 + k + i * k + j] - count * mean[i] * mean[j]) / (count - 1)
                cov[i * k + j] = c
                cov[j * k + i] = c
            }
        }
        let total = (0..<k).reduce(0.0) { $0 + cov[$1 * k + $1] }
        let (values, vectors) = try PCA.symmetricEigen(cov, k)
        // dsyevd returns ascending eigenvalues; keep the n largest, each axis with its largest-magnitude
        // entry positive so the result is deterministic.
        var axes = [Double](repeating: 0, count: k * n)
        var variances = [Double](repeating: 0, count: n)
        for c in 0..<n {
            let src = k - 1 - c
            variances[c] = max(0, values[src])
            // Column-major output of LAPACK: vector `src` is vectors[src*k ..< (src+1)*k].
            let v = Array(vectors[(src * k)..<((src + 1) * k)])
            let pivot = v.indices.max { abs(v[$0]) < abs(v[$1]) } ?? 0
            let sign: Double = v[pivot] < 0 ? -1 : 1
            for r in 0..<k { axes[r * n + c] = sign * v[r] }
        }
        self.features = k
        self.components = n
        self.mean = mean
        self.axes = axes
        self.variances = variances
        self.totalVariance = total
    }

    /// Fraction of the total variance each kept component explains.
    public var explainedVarianceRatio: [Double] { variances.map { totalVariance > 0 ? $0 / totalVariance : 0 } }

    /// z = (x − mean) · axes, for `rows` rows.
    public func encode(_ x: UnsafeBufferPointer<Float>, rows: Int, into z: UnsafeMutableBufferPointer<Float>) {
        let k = features, n = components
        for r in 0..<rows {
            for c in 0..<n {
                var s = 0.0
                for j in 0..<k { s += (Double(x[r * k + j]) - mean[j]) * axes[j * n + c] }
                z[r * n + c] = Float(s)
            }
        }
    }

    /// x̂ = z · axesᵀ + mean.
    public func decode(_ z: UnsafeBufferPointer<Float>, rows: Int, into x: UnsafeMutableBufferPointer<Float>) {
        let k = features, n = components
        for r in 0..<rows {
            for j in 0..<k {
                var s = mean[j]
                for c in 0..<n { s += Double(z[r * n + c]) * axes[j * n + c] }
                x[r * k + j] = Float(s)
            }
        }
    }

    /// Eigenvalues (ascending) and column-major eigenvectors of a symmetric k×k matrix (LAPACK dsyevd).
    static func symmetricEigen(_ matrix: [Double], _ k: Int) throws -> ([Double], [Double]) {
        var a = matrix  // symmetric: row- and column-major are the same
        var w = [Double](repeating: 0, count: k)
        var n = Int32(k), lda = Int32(k), info: Int32 = 0
        var lwork: Int32 = -1, liwork: Int32 = -1
        var workQuery = [Double](repeating: 0, count: 1)
        var iworkQuery = [Int32](repeating: 0, count: 1)
        let jobz: CChar = CChar(UInt8(ascii: "V")), uplo: CChar = CChar(UInt8(ascii: "U"))
        var j = jobz, u = uplo
        dsyevd_(&j, &u, &n, &a, &lda, &w, &workQuery, &lwork, &iworkQuery, &liwork, &info, 1, 1)
        guard info == 0 else { throw PCAError.lapack(call: "dsyevd_ (workspace query)", info: Int(info)) }
        lwork = Int32(workQuery[0])
        liwork = iworkQuery[0]
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&j, &u, &n, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        guard info == 0 else { throw PCAError.lapack(call: "dsyevd_", info: Int(info)) }
        return (w, a)
    }
}

public enum PCAError: Error, Equatable, CustomStringConvertible {
    case tooFewRows(Int)
    case lapack(call: String, info: Int)

    public var description: String {
        switch self {
        case .tooFewRows(let n): return "PCA needs at least two rows, found \(n)"
        case .lapack(let call, let info): return "LAPACK \(call) failed with info = \(info)"
        }
    }
}
