import XCTest
@testable import NN

/// The measured FMA peak: a plausible figure on each variant this CPU runs, and AVX2 not
/// implausibly above AVX-512 (on AMD Zen 4 they are close: 512-bit FMAs run as two halves).
final class FMAPeakTests: XCTestCase {
    func testPeakOnEachVariant() throws {
        let avx2 = DenseKernel.Variant.avx2.isSupported ? try FMAPeak.measure(seconds: 0.2, variant: .avx2) : nil
        let avx512 = DenseKernel.Variant.avx512.isSupported ? try FMAPeak.measure(seconds: 0.2, variant: .avx512) : nil
        print("FMA peak, one core: AVX2 \(avx2.map { String(format: "%.1f", $0) } ?? "n/a") GFLOP/s, "
              + "AVX-512 \(avx512.map { String(format: "%.1f", $0) } ?? "n/a") GFLOP/s")
        if let avx2 { XCTAssertGreaterThan(avx2, 1) }
        if let avx512 { XCTAssertGreaterThan(avx512, 1) }
        if let avx2, let avx512 { XCTAssertLessThanOrEqual(avx2, avx512 * 1.5) }
        let widest = try FMAPeak.measure(seconds: 0.1)
        XCTAssertEqual(widest.isa, (avx512 != nil ? DenseKernel.Variant.avx512 : .avx2).rawValue)
        XCTAssertGreaterThan(widest.gflops, 1)
    }

    func testUnsupportedVariantIsAnError() throws {
        for variant in DenseKernel.Variant.allCases where !variant.isSupported {
            XCTAssertThrowsError(try FMAPeak.measure(seconds: 0.01, variant: variant))
        }
    }
}
