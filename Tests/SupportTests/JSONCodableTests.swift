import Foundation
import XCTest
@testable import Support

/// Codable values through JSONValue give the bytes JSONEncoder gave (the reducer's and generator's
/// attributes, result.json, manifest.json keep their text) and decode back to the same value.
final class JSONCodableTests: XCTestCase {
    struct Inner: Codable, Equatable {
        var file: String
        var firstRow: Int
        var sha256: String?
        enum CodingKeys: String, CodingKey { case file, firstRow = "first_row", sha256 }
    }

    enum Kind: String, Codable { case shards, single }

    struct Sample: Codable, Equatable {
        var names = ["mu\"1", "a\\b", "pT_μ", "tab\there", "x/y", "c\u{01}\u{08}\u{0C}\r\n", "🎲"]
        var empty: [Int] = []
        var inners = [Inner(file: "shard-00000.h5", firstRow: 0, sha256: nil), Inner(file: "b", firstRow: 5, sha256: "ab")]
        var doubles = [12.0, 0.1, 1e-7, 1.5e20, -0.0, 2.5e-300, Double.pi]
        var floats: [Float] = [1, 0.1, 1e-8, 3e38, .pi, Float.leastNonzeroMagnitude]
        var seed = UInt64.max
        var small: Int32 = -7
        var byName = ["zeta": 1.5, "Alpha": 2, "a10": 3, "a2": 4, "μ": 5]
        var emptyObject: [String: Int] = [:]
        var nested: [[Float]] = [[], [1.25]]
        var kind = Kind.single
        var flag = false
        var missing: Double? = nil
    }

    func encoded(_ value: some Encodable, pretty: Bool) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func testSameBytesAsJSONEncoder() throws {
        let sample = Sample()
        XCTAssertEqual(try JSONValue(encoding: sample).encoderText, try encoded(sample, pretty: false))
        XCTAssertEqual(try JSONValue(encoding: sample).encoderPrettyText, try encoded(sample, pretty: true))
        for value: [Float] in [[], [0.5, 1]] {
            XCTAssertEqual(try JSONValue(encoding: value).encoderPrettyText, try encoded(value, pretty: true))
        }
    }

    func testDecodesWhatItAndJSONEncoderWrote() throws {
        let sample = Sample()
        XCTAssertEqual(try JSONValue.decode(Sample.self, from: JSONValue(encoding: sample).encoderText), sample)
        XCTAssertEqual(try JSONValue.decode(Sample.self, from: JSONValue(encoding: sample).encoderPrettyText), sample)
        XCTAssertEqual(try JSONValue.decode(Sample.self, from: encoded(sample, pretty: true)), sample)
        XCTAssertEqual(try JSONValue.decode(Sample.self, from: encoded(sample, pretty: false)), sample)
        let original = try JSONDecoder().decode(Sample.self, from: Data(try JSONValue(encoding: sample).encoderText.utf8))
        XCTAssertEqual(original, sample)
    }

    func testFloatsReadBackBitwise() throws {
        var state: UInt32 = 12345
        let floats: [Float] = (0..<20_000).compactMap { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            let f = Float(bitPattern: state)
            return f.isFinite ? f : nil
        }
        let back = try JSONValue.decode([Float].self, from: JSONValue(encoding: floats).encoderText)
        XCTAssertEqual(back.map(\.bitPattern), floats.map(\.bitPattern))
    }

    func testErrorsNameTheProblem() {
        XCTAssertThrowsError(try JSONValue(encoding: [Double.nan]))
        XCTAssertThrowsError(try JSONValue.decode(Inner.self, from: #"{"file": "f"}"#)) { error in
            guard case DecodingError.keyNotFound(let key, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key.stringValue, "first_row")
        }
        XCTAssertThrowsError(try JSONValue.decode(Int32.self, from: "3000000000"))
        XCTAssertThrowsError(try JSONValue.decode(Int.self, from: "1.5"))
        XCTAssertThrowsError(try JSONValue.decode(Kind.self, from: #""both""#))
        XCTAssertThrowsError(try JSONValue.decode([Int].self, from: #"{"a": 1}"#))
    }
}
