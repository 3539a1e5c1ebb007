import Foundation
import TestSupport
import XCTest
@testable import Support

/// The one JSON path: names and strings with a quote, a backslash, control characters and
/// non-ASCII survive serialize → parse, the digits of formatted numbers stay as written, and
/// Python's json module reads the text back to the same value.
final class JSONValueTests: XCTestCase {
    static let awkwardNames = ["mu\"1", "a\\b", "pT_μ", "tab\there", "line\nbreak", "bell\u{07}", "nul\u{0}", "emoji 🎲", "/slash"]

    static var awkward: JSONValue {
        .object(awkwardNames.enumerated().map { (key: $0.element, value: .string($0.element + String($0.offset))) } + [
            ("list", .array([.integer(-3), .number(0.1), .number(-2.5e-300), .bool(true), .null, .array([]), .object([])])),
            ("formatted", .number(0.123456789, format: "%.6g")), ("float", .float(0.1)),
            ("seed", .unsigned(UInt64.max)), ("big", .integer(Int.min)),
        ])
    }

    func testEscapesAreJSONEscapes() {
        XCTAssertEqual(JSONValue.quoted("mu\"1"), #""mu\"1""#)
        XCTAssertEqual(JSONValue.quoted("a\\b"), #""a\\b""#)
        XCTAssertEqual(JSONValue.quoted("x\ty\u{01}"), #""x\ty\u0001""#)
        XCTAssertEqual(JSONValue.quoted("pT_μ"), "\"pT_μ\"")  // UTF-8 as is
    }

    func testParseOfSerializedIsTheValue() throws {
        let value = JSONValueTests.awkward
        XCTAssertEqual(try JSONValue.parse(value.serialized), value)
        XCTAssertEqual(try JSONValue.parse(value.encoderText), value)
        XCTAssertEqual(try JSONValue.parse(value.serializedByLine), value)
        for name in JSONValueTests.awkwardNames {
            XCTAssertEqual(try JSONValue.parse(value.serialized)[name]?.string, name + String(JSONValueTests.awkwardNames.firstIndex(of: name)!))
        }
        XCTAssertNotEqual(try JSONValue.parse(value.serialized), .object([]))
    }

    func testFormattedNumbersKeepTheirDigits() throws {
        XCTAssertEqual(JSONValue.number(0.123456789, format: "%.6g").serialized, "0.123457")
        XCTAssertEqual(JSONValue.number(1e-7, format: "%.6g").serialized, "1e-07")
        XCTAssertEqual(JSONValue.number(.infinity, format: "%.6g").serialized, "null")
        XCTAssertEqual(JSONValue.float(0.1).serialized, "0.1")
        XCTAssertEqual(JSONValue.number(0.1).serialized, "0.1")
        XCTAssertEqual(JSONValue.number(3).serialized, "3.0")
        XCTAssertEqual(JSONValue.number(0.123456789, format: "%.6g"), .number(0.123457))
        XCTAssertNotEqual(JSONValue.number(0.123456789, format: "%.6g"), .number(0.123456789))
        // Seeds above Int.max read back exactly.
        XCTAssertEqual(try JSONValue.parse("18446744073709551615").uint64, UInt64.max)
        XCTAssertEqual(try JSONValue.parse("9223372036854775807").uint64, UInt64(Int.max))
        XCTAssertNil(try JSONValue.parse("-1").uint64)
    }

    func testCompactAndSpacedText() {
        let value = JSONValue.object([("b", .integer(1)), ("a", .array([.bool(false), .string("x")]))])
        XCTAssertEqual(value.serialized, #"{"b": 1, "a": [false, "x"]}"#)
        XCTAssertEqual(value.encoderText, #"{"b":1,"a":[false,"x"]}"#)
        XCTAssertEqual(value.serializedByLine, "{\n  \"b\": 1,\n  \"a\": [false, \"x\"]\n}\n")
    }

    func testUnterminatedAndBadEscapesAreErrors() {
        XCTAssertThrowsError(try JSONValue.parse(#"{"a\"}"#))
        XCTAssertThrowsError(try JSONValue.parse(#"{"a": 1} x"#))
        XCTAssertThrowsError(try JSONValue.parse(#""\u12"#))
    }

    func testPythonReadsTheText() throws {
        let value = JSONValueTests.awkward
        XCTAssertEqual(try PythonJSON.roundTrip(value.serialized), [value])
        XCTAssertEqual(try PythonJSON.roundTrip(value.encoderText), [value])
    }
}
