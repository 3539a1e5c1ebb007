import Foundation
import XCTest

/// reference.json, written by Reference/make_reference.py from scipy 1.17 / numpy.
struct ReferenceData: Decodable {
    struct Formula: Decodable {
        let count: Int
        let multiplier: Int
        let modulus: Int
        let scale: Double
        let offset: Double
        let transform: String

        /// Same float64 operations as make_reference.py's `formula`.
        func values() -> [Double] {
            (0..<count).map { i in
                let u = Double((i * multiplier) % modulus) / Double(modulus)
                let t: Double
                switch transform {
                case "square": t = u * u
                case "sqrt": t = u.squareRoot()
                default: t = u
                }
                return t * scale + offset
            }
        }
    }

    struct Sample: Decodable {
        let values: [Double]?
        let formula: Formula?

        func resolved() -> [Double] { values ?? formula?.values() ?? [] }
    }

    struct KSCase: Decodable {
        let name: String
        let a: Sample
        let b: Sample
        let statistic: Double
        let pvalue: Double
        let method: String
        let wasserstein: Double
    }

    struct ExactRow: Decodable {
        let n1: Int
        let n2: Int
        let d: Double
        let statistic: Double
        let pvalue: Double
    }

    struct KStwoRow: Decodable {
        let n: Int
        let x: Double
        let sf: Double
        let cdf: Double
    }

    struct SmirnovRow: Decodable {
        let n: Int
        let x: Double
        let sf: Double
    }

    struct Correlation: Decodable {
        let x_columns: [[Double]]
        let y_columns: [[Double]]
        let corr_x: [[Double]]
        let corr_y: [[Double]]
        let max_abs_diff: Double
        let mean_abs_diff: Double
    }

    let scipy_version: String
    let ks_cases: [KSCase]
    let exact_grid: [ExactRow]
    let kstwo_grid: [KStwoRow]
    let smirnov_grid: [SmirnovRow]
    let correlation: Correlation

    static func load() throws -> ReferenceData {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Reference", withExtension: nil),
                                "Reference resource directory missing from the test bundle")
        let data = try Data(contentsOf: dir.appendingPathComponent("reference.json"))
        return try JSONDecoder().decode(ReferenceData.self, from: data)
    }
}

/// |actual − expected| / |expected|, with exact zeros compared absolutely.
func relativeError(_ actual: Double, _ expected: Double) -> Double {
    if expected == 0 { return abs(actual) }
    return abs(actual - expected) / abs(expected)
}

/// SplitMix64: a tiny deterministic generator for randomized twin comparisons.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Integer in 0..<bound.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
