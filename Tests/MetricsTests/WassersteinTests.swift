import XCTest
@testable import Metrics

final class WassersteinTests: XCTestCase {
    func testMatchesScipyWassersteinDistance() throws {
        let reference = try ReferenceData.load()
        for c in reference.ks_cases {
            let a = c.a.resolved(), b = c.b.resolved()
            let w = try Wasserstein.distance(a, b)
            XCTAssertEqual(w, c.wasserstein, accuracy: 1e-9, c.name)
            XCTAssertEqual(Wasserstein.distance(sortedU: a.sorted(), sortedV: b.sorted()), w, c.name)
        }
    }

    func testFastPathEqualsReferenceTwinOnRandomInputs() {
        var rng = SplitMix64(state: 99)
        for trial in 0..<300 {
            let n1 = 1 + rng.below(50), n2 = 1 + rng.below(50)
            let levels = trial % 2 == 0 ? 6 : 1 << 30
            let a = (0..<n1).map { _ in Double(rng.below(levels)) / Double(levels) * 3 - 1 }
            let b = (0..<n2).map { _ in Double(rng.below(levels)) / Double(levels) * 2 }
            let twin = Wasserstein.referenceDistance(a, b)
            XCTAssertEqual(Wasserstein.distance(sortedU: a.sorted(), sortedV: b.sorted()), twin,
                           accuracy: 1e-13, "trial \(trial)")
        }
    }

    func testHandComputedValues() throws {
        // Shifting a sample by c moves it exactly c.
        XCTAssertEqual(try Wasserstein.distance([0, 1, 3], [2, 3, 5]), 2, accuracy: 1e-15)
        // scipy docstring example.
        XCTAssertEqual(try Wasserstein.distance([0, 1, 3], [5, 6, 8]), 5, accuracy: 1e-15)
        XCTAssertEqual(try Wasserstein.distance([3.4, 3.9, 7.5, 7.8], [4.5, 1.4]), 2.7, accuracy: 1e-12)
        XCTAssertEqual(try Wasserstein.distance([1, 1, 1], [1]), 0)
    }

    func testEmptyThrowsAndNaNPropagates() throws {
        XCTAssertThrowsError(try Wasserstein.distance([1], [])) { error in
            XCTAssertEqual(error as? MetricsError, .emptySample("second"))
        }
        XCTAssertTrue(try Wasserstein.distance([.nan], [1]).isNaN)
    }
}
