import XCTest
@testable import NN
@testable import Support

final class PCATests: XCTestCase {
    /// Data on a known 2-D plane in 4-D plus small noise: two components explain almost everything,
    /// the axes span the plane, and decode(encode(x)) reproduces x up to the noise.
    func testRecoversAPlaneAndReconstructs() throws {
        var rng = Philox(seed: 3, stream: 0)
        let rows = 2000, k = 4
        let u: [Double] = [1, 2, 0, -1], v: [Double] = [0, 1, 1, 1], mean: [Double] = [5, -3, 2, 0]
        var x = [Float](repeating: 0, count: rows * k)
        for r in 0..<rows {
            let a = 3 * rng.normal(), b = rng.normal()
            for j in 0..<k { x[r * k + j] = Float(mean[j] + a * u[j] + b * v[j] + 0.01 * rng.normal()) }
        }
        let m = x.withUnsafeBufferPointer { PCA.moments($0, rows: rows, features: k) }
        let pca = try PCA(moments: m, features: k, components: 2)
        XCTAssertGreaterThan(pca.explainedVarianceRatio.reduce(0, +), 0.9999)
        XCTAssertGreaterThan(pca.variances[0], pca.variances[1])
        for j in 0..<k { XCTAssertEqual(pca.mean[j], mean[j], accuracy: 0.2) }
        var z = [Float](repeating: 0, count: rows * 2), back = [Float](repeating: 0, count: rows * k)
        x.withUnsafeBufferPointer { xs in z.withUnsafeMutableBufferPointer { pca.encode(xs, rows: rows, into: $0) } }
        z.withUnsafeBufferPointer { zs in back.withUnsafeMutableBufferPointer { pca.decode(zs, rows: rows, into: $0) } }
        let worst = zip(x, back).map { abs($0 - $1) }.max() ?? 1
        XCTAssertLessThan(worst, 0.06)
        // Moments are additive: two halves summed give the same fit (as ranks do with allreduce).
        let m1 = x.withUnsafeBufferPointer { PCA.moments(UnsafeBufferPointer(rebasing: $0[0..<(1000 * k)]), rows: 1000, features: k) }
        let m2 = x.withUnsafeBufferPointer { PCA.moments(UnsafeBufferPointer(rebasing: $0[(1000 * k)...]), rows: 1000, features: k) }
        let split = try PCA(moments: zip(m1, m2).map { $0 + $1 }, features: k, components: 2)
        for (a, b) in zip(split.axes, pca.axes) { XCTAssertEqual(a, b, accuracy: 1e-9) }
    }

    func testTooFewRows() {
        let m = PCA.moments(UnsafeBufferPointer(start: nil, count: 0), rows: 0, features: 3)
        XCTAssertThrowsError(try PCA(moments: m, features: 3, components: 1)) {
            XCTAssertEqual(($0 as? PCAError)?.description, "PCA needs at least two rows, found 0")
        }
    }
}
