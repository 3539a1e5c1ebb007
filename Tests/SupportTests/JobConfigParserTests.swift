import XCTest
@testable import Support

/// The TOML subset: every value type, comments, escapes, multi-line arrays, headers, line numbers.
final class JobConfigParserTests: XCTestCase {
    private func parse(_ text: String) throws -> TOMLDocument { try TOMLDocument(parsing: text, file: "t.toml") }

    func testScalarsOfEveryType() throws {
        let doc = try parse("""
        s = "text"
        lit = 'C:\\path\\no escapes'
        i = 42
        neg = -17
        plus = +5
        big = 1_000_000
        hex = 0xff
        oct = 0o17
        bin = 0b101
        f = 1.5
        e1 = 1e-4
        e2 = 6.5E+3
        e3 = -2_5.0_1e0_1
        zero = -0.0
        yes = true
        no = false
        pinf = inf
        minf = -inf
        notanumber = nan
        max = 9223372036854775807
        min = -9223372036854775808
        """)
        let expected: [String: TOMLValue] = [
            "s": "text", "lit": "C:\\path\\no escapes", "i": 42, "neg": -17, "plus": 5, "big": 1_000_000,
            "hex": 255, "oct": 15, "bin": 5, "f": 1.5, "e1": 1e-4, "e2": 6500.0, "e3": -25.01e1, "zero": -0.0,
            "yes": true, "no": false, "pinf": .float(.infinity), "minf": .float(-.infinity), "notanumber": .float(.nan),
            "max": .integer(.max), "min": .integer(.min),
        ]
        XCTAssertEqual(doc.root.keys, ["s", "lit", "i", "neg", "plus", "big", "hex", "oct", "bin", "f", "e1", "e2", "e3",
                                       "zero", "yes", "no", "pinf", "minf", "notanumber", "max", "min"])
        for (key, value) in expected { XCTAssertEqual(doc.value(key), value, key) }
        XCTAssertEqual(doc.root["e1"]?.line, 11)
        XCTAssertEqual(doc.value("zero")?.doubleValue?.sign, .minus)
        XCTAssertNotEqual(TOMLValue.integer(1), TOMLValue.float(1), "integers and floats stay distinct")
    }

    func testEscapesAndQuotedKeys() throws {
        let doc = try parse(#"""
        a = "quote \" backslash \\ newline \n tab \t cr \r bs \b ff \f"
        u = "\u00e9\U0001F600 \u0041"
        "quoted key" = 1
        'literal key' = 2
        "" = 3
        unicode = "Drell–Yan μμ"
        hash = "a # not a comment"
        """#)
        XCTAssertEqual(doc.value("a"), .string("quote \" backslash \\ newline \n tab \t cr \r bs \u{08} ff \u{0C}"))
        XCTAssertEqual(doc.value("u"), .string("é😀 A"))
        XCTAssertEqual(doc.value("quoted key"), 1)
        XCTAssertEqual(doc.value("literal key"), 2)
        XCTAssertEqual(doc.value(""), 3)
        XCTAssertEqual(doc.value("unicode"), "Drell–Yan μμ")
        XCTAssertEqual(doc.value("hash"), "a # not a comment")
    }

    func testCommentsBlankLinesAndCRLF() throws {
        let doc = try parse("# heading\r\n\r\n  x = 1   # trailing comment\r\n\t\ny=\"v\"#c\r\n[t] # table comment\r\nz = [1] # c\r\n# end")
        XCTAssertEqual(doc.value("x"), 1)
        XCTAssertEqual(doc.value("y"), "v")
        XCTAssertEqual(doc.value("z", in: ["t"]), [1])
        XCTAssertEqual(doc.table(["t"])?.headerLine, 6)
        XCTAssertEqual(doc.table(["t"])?["z"]?.line, 7)
    }

    func testArraysOverSeveralLinesWithCommentsAndTrailingComma() throws {
        let doc = try parse("""
        widths = [
            512,   # first
            128,
            # a comment line
            64,
        ]
        empty = []
        nested = [[1, 2], ["a"]]
        names = ["mu1_E", 'mu1_px']
        floats = [1.0, 2.5e3, inf]
        after = 7
        """)
        XCTAssertEqual(doc.value("widths"), [512, 128, 64])
        XCTAssertEqual(doc.root["widths"]?.line, 1)
        XCTAssertEqual(doc.value("empty"), .array([]))
        XCTAssertEqual(doc.value("nested"), [[1, 2], ["a"]])
        XCTAssertEqual(doc.value("names"), ["mu1_E", "mu1_px"])
        XCTAssertEqual(doc.value("floats"), [1.0, 2500.0, .float(.infinity)])
        XCTAssertEqual(doc.root["after"]?.line, 11)
    }

    func testTablesDottedHeadersAndInlineTables() throws {
        let doc = try parse("""
        top = 1
        [reduce]
        epochs = 20
        [ensemble.gan]
        lr = 1e-4
        [ensemble]
        members = 8
        [ "quoted" . 'part' ]
        opt = { name = "adam", betas = [0.5, 0.9], nested = { a = 1 } }
        none = {}
        """)
        XCTAssertEqual(doc.tables.map(\.path), [[], ["reduce"], ["ensemble", "gan"], ["ensemble"], ["quoted"], ["quoted", "part"]],
                       "tables in order of appearance; an implied table moves to where its header is")
        XCTAssertEqual(doc.value("epochs", in: ["reduce"]), 20)
        XCTAssertEqual(doc.value("lr", in: ["ensemble", "gan"]), 1e-4)
        XCTAssertEqual(doc.table(["ensemble"])?.headerLine, 6, "an implied table may be defined later")
        XCTAssertEqual(doc.value("members", in: ["ensemble"]), 8)
        XCTAssertNil(doc.table(["quoted"])?.headerLine)
        XCTAssertEqual(doc.value("opt", in: ["quoted", "part"]),
                       .table(["name": "adam", "betas": [0.5, 0.9], "nested": .table(["a": 1])]))
        XCTAssertEqual(doc.value("none", in: ["quoted", "part"]), .table([:]))
        XCTAssertEqual(doc.table(["ensemble", "gan"])?.displayName, "[ensemble.gan]")
        XCTAssertEqual(doc.table(["quoted", "part"])?.displayName, "[quoted.part]")
    }

    func testTomlTextParsesBackToTheSameValue() throws {
        let values: [TOMLValue] = [
            "plain", "quote \" and \\ and \n\t\r\u{08}\u{0C} and \u{01}\u{7F} and é😀", 0, -42, .integer(.max), .integer(.min),
            1.0, 0.1, 1e-4, 6.5e3, 1e300, .float(.leastNonzeroMagnitude), -0.0, .float(.infinity), .float(-.infinity), .float(.nan), 123456789.125,
            true, false, [], [1, 2, 3], ["a", "b"], [[1], [2, 3]], .table(["a": 1, "b c": "x", "n": .table([:])]),
        ]
        for value in values {
            let doc = try parse("v = \(value.tomlText)")
            let back = try XCTUnwrap(doc.value("v"))
            XCTAssertEqual(back, value, value.tomlText)
            if case let (.float(x), .float(y)) = (back, value) { XCTAssertEqual(x.bitPattern, y.bitPattern, value.tomlText) }
        }
    }
}
