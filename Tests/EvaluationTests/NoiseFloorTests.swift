import Metrics
import XCTest
@testable import Support
@testable import Evaluation

/// The noise floor (KS of two random halves of the real rows, rescaled) and the critical value.
final class NoiseFloorTests: XCTestCase {
    /// The halves split 0..<n into ⌊n/2⌋ and ⌈n/2⌉ disjoint rows, whatever the generated size,
    /// and the same seed draws the same halves.
    func testHalvesPartitionTheRealRows() {
        for n in [2, 3, 10, 1001] {
            let h = NoiseFloor(realRows: n, generatedRows: 17)
            XCTAssertEqual(h.first.count, n / 2)
            XCTAssertEqual(h.second.count, n - n / 2)
            XCTAssertEqual((h.first + h.second).sorted(), Array(0..<n))
            XCTAssertEqual(h.first, h.first.sorted())
            XCTAssertEqual(NoiseFloor(realRows: n, generatedRows: 5).first, h.first, "independent of the generated size")
        }
        XCTAssertNotEqual(NoiseFloor(realRows: 1001, generatedRows: 5, seed: 2).first, NoiseFloor(realRows: 1001, generatedRows: 5).first)
    }

    /// 7 real rows compared with 5 generated: the floor is the halves' KS (counted by the O(n²)
    /// reference) times sqrt((7 + 5)/(7·5)) / sqrt((3 + 4)/(3·4)).
    func testFloorIsTheHalvesKSRescaledToTheSizesCompared() {
        let values: [Double] = [4, -1, 2.5, 9, 0, 3, 7]
        let h = NoiseFloor(realRows: 7, generatedRows: 5)
        let halves = KolmogorovSmirnov.referenceStatistic(h.first.map { values[$0] }, h.second.map { values[$0] })
        XCTAssertGreaterThan(halves, 0)
        XCTAssertEqual(h.floor(values), halves * (12.0 / 35).squareRoot() / (7.0 / 12).squareRoot(), accuracy: 1e-15)
        XCTAssertTrue(h.floor(values.map { $0 == 3 ? .nan : $0 }).isNaN)
        XCTAssertTrue(NoiseFloor(realRows: 1, generatedRows: 5).floor([1]).isNaN, "one real row has no halves")
    }

    /// c(0.05) = sqrt(−ln(0.025)/2) = 1.358102; at 20000 vs 20000 rows sqrt(2/20000) = 0.01.
    func testCriticalValueIsTheAsymptoticFivePercentValue() {
        XCTAssertEqual(NoiseFloor.coefficient, 1.3581015157406195, accuracy: 1e-15)
        XCTAssertEqual(NoiseFloor.critical(20000, 20000), 0.013581015157406195, accuracy: 1e-15)
        XCTAssertEqual(NoiseFloor(realRows: 300, generatedRows: 100).critical, 1.3581015157406195 * (400.0 / 30000).squareRoot(),
                       accuracy: 1e-15)
    }

    /// Under the null the KS of n vs m rows averages ≈ sqrt(π/2)·ln 2 = 0.8687 times
    /// sqrt((n+m)/(n·m)). Over 60 independent normal columns of 2000 real rows the floor, rescaled to
    /// 2000 vs 500 rows, must average that multiple of sqrt(2500/10⁶) (the mean's std is ≈ 0.034;
    /// finite n lowers it by a few %). A missing or inverted rescaling (×√2 or ×0.4) fails.
    func testFloorHasTheNullScaleOfTheSizesCompared() {
        let h = NoiseFloor(realRows: 2000, generatedRows: 500)
        var sum = 0.0
        for column in 0..<60 {
            var rng = Philox(seed: 5, stream: UInt64(column))
            sum += h.floor((0..<2000).map { _ in rng.normal() })
        }
        let multiple = sum / 60 / (2500.0 / 1_000_000).squareRoot()
        XCTAssertGreaterThan(multiple, 0.72, "\(multiple)")
        XCTAssertLessThan(multiple, 0.98, "\(multiple)")
    }

    func testMarkerReadsTheKSAgainstTheFloor() {
        XCTAssertEqual(NoiseFloor.marker(ks: 0.01, floor: 0.02), "below")
        XCTAssertEqual(NoiseFloor.marker(ks: 0.02, floor: 0.02), "below")
        XCTAssertEqual(NoiseFloor.marker(ks: 0.062, floor: 0.02), "3.1×")
        XCTAssertEqual(NoiseFloor.marker(ks: 0.1, floor: 0), "inf×")
        XCTAssertEqual(NoiseFloor.marker(ks: .nan, floor: 0.02), "nan")
    }
}
