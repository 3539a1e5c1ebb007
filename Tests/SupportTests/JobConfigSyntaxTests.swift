import XCTest
@testable import Support

/// Every syntax error of the TOML subset: one line, the file and line, exit code 64.
final class JobConfigSyntaxTests: XCTestCase {
    private func assertError(_ text: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try TOMLDocument(parsing: text, file: "jobs/x.toml"), file: file, line: line) { error in
            let input = error as? InputError
            XCTAssertEqual(input?.description, message, file: file, line: line)
            XCTAssertEqual(input?.exitCode, ExitStatus.usage, file: file, line: line)
        }
    }

    func testKeysAndEquals() {
        assertError("# job\n\n[reduce]\ndata = \"a\"\nepochs = 2\n\nlr 1e-3\n", "jobs/x.toml line 7: expected '=' after key 'lr'")
        assertError("= 5", "jobs/x.toml line 1: expected a key, found '='")
        assertError("my key = 5", "jobs/x.toml line 1: expected '=' after key 'my'")
        assertError("a.b = 1", "jobs/x.toml line 1: dotted keys ('a.… = …') are not supported in job files; use a [table] header instead")
        assertError("x =", "jobs/x.toml line 1: missing value after '=' for key 'x'")
        assertError("x =   # nothing\ny = 1", "jobs/x.toml line 1: missing value after '=' for key 'x'")
        assertError("x = 1 2", "jobs/x.toml line 1: unexpected text '2' after the value of key 'x'; "
                    + "expected a comment (#) or the end of the line")
        assertError("x = 1\ry = 2", "jobs/x.toml line 1: carriage return without a line feed; "
                    + "save the file with Unix (LF) or Windows (CRLF) line endings")
    }

    func testStrings() {
        assertError("a = 1\ndata = \"runs/dy.h5\n", "jobs/x.toml line 2: unterminated string (missing closing \")")
        assertError("name = 'abc", "jobs/x.toml line 1: unterminated string (missing closing ')")
        assertError(#"x = "a\qb""#, #"jobs/x.toml line 1: invalid escape '\q' in a string; valid escapes are \" \\ \n \t \r \b \f \uXXXX \UXXXXXXXX"#)
        assertError(#"x = "\u12""#, #"jobs/x.toml line 1: invalid escape '\u12' in a string; expected 4 hexadecimal digits"#)
        assertError(#"x = "\uD800""#, #"jobs/x.toml line 1: invalid escape '\uD800' in a string; it is not a Unicode scalar value"#)
        assertError("x = \"a\u{01}b\"", #"jobs/x.toml line 1: control character U+0001 in a string; write it as an escape (\u0001)"#)
        assertError(#"x = """a""""#, #"jobs/x.toml line 1: multi-line strings (""") are not supported in job files; use one line with \n escapes"#)
        assertError("x = '''a'''", "jobs/x.toml line 1: multi-line literal strings (''') are not supported in job files; use one line")
        assertError("x = yes", #"jobs/x.toml line 1: invalid value 'yes' for key 'x'; strings need quotes: "yes""#)
        assertError("x = True", "jobs/x.toml line 1: invalid value 'True' for key 'x'; booleans are lowercase: true or false")
        assertError("d = 1979-05-27", "jobs/x.toml line 1: dates and times are not supported in job files; "
                    + "quote '1979-05-27' to make it a string")
    }

    func testNumbers() {
        assertError("lr = 1.2.3", "jobs/x.toml line 1: invalid number '1.2.3'")
        assertError("x = 1__0", "jobs/x.toml line 1: invalid number '1__0'")
        assertError("x = 1_", "jobs/x.toml line 1: invalid number '1_'")
        assertError("x = 1e", "jobs/x.toml line 1: invalid number '1e'")
        assertError("x = -", "jobs/x.toml line 1: invalid number '-'")
        assertError("x = .5", "jobs/x.toml line 1: invalid number '.5' (write a digit before the point, e.g. 0.5)")
        assertError("x = 1.", "jobs/x.toml line 1: invalid number '1.' (write a digit after the point, e.g. 1.0)")
        assertError("x = 007", "jobs/x.toml line 1: invalid number '007' (leading zeros are not allowed)")
        assertError("x = 0xfg", "jobs/x.toml line 1: invalid number '0xfg'")
        assertError("x = +0x10", "jobs/x.toml line 1: invalid number '+0x10' (hexadecimal, octal and binary integers take no sign)")
        assertError("x = 9223372036854775808", "jobs/x.toml line 1: integer '9223372036854775808' is out of range (64-bit signed)")
        assertError("x = 1e400", "jobs/x.toml line 1: float '1e400' is out of range")
    }

    func testArraysAndInlineTables() {
        assertError("x = [1, 2\n\ny = 3", "jobs/x.toml line 1: unterminated array for key 'x' (missing ']')")
        assertError("x = [1,\n 2 # c\n\n", "jobs/x.toml line 1: unterminated array for key 'x' (missing ']')")
        assertError("x = [1 2]", "jobs/x.toml line 1: expected ',' or ']' in the array for key 'x', found '2'")
        assertError("x = [1,,2]", "jobs/x.toml line 1: expected a value for key 'x', found ','")
        assertError("x = [\n 1,\n \"a\"]", "jobs/x.toml line 3: array for key 'x' mixes integers and strings; a list holds values of one type")
        assertError("x = [1, 2.0]", "jobs/x.toml line 1: array for key 'x' mixes integers and floats; write every number as a float (e.g. 1.0)")
        assertError("t = { a = 1, }", "jobs/x.toml line 1: trailing comma in the inline table for key 't'; remove it")
        assertError("t = { a = 1\nb = 2", "jobs/x.toml line 1: inline table for key 't' must close on the same line (missing '}')")
        assertError("t = { a = 1, a = 2 }", "jobs/x.toml line 1: duplicate key 'a' in the inline table for key 't'; keep one")
        assertError("t = { a = 1 b = 2 }", "jobs/x.toml line 1: expected ',' or '}' in the inline table for key 't', found 'b'")
    }

    func testTablesAndDuplicates() {
        assertError("[reduce] x", "jobs/x.toml line 1: unexpected text 'x' after table header [reduce]; "
                    + "expected a comment (#) or the end of the line")
        assertError("[a", "jobs/x.toml line 1: unterminated table header (missing ']')")
        assertError("[a b]", "jobs/x.toml line 1: expected '.' or ']' in a table header, found 'b'")
        assertError("[]", "jobs/x.toml line 1: empty table header '[]'; name the table, e.g. [reduce]")
        assertError("[[runs]]", "jobs/x.toml line 1: arrays of tables ([[...]]) are not supported in job files; use one [table] per section")
        assertError("epochs = 1\nepochs = 2", "jobs/x.toml line 2: duplicate key 'epochs' (first set on line 1); keep one")
        assertError("[reduce]\nepochs = 1\n\"epochs\" = 2", "jobs/x.toml line 3: duplicate key 'epochs' in [reduce] (first set on line 2); keep one")
        assertError("[a]\n[b]\n[a]", "jobs/x.toml line 3: table [a] is defined twice (first on line 1); merge the two")
        assertError("[a]\nb = 1\n[a.b]", "jobs/x.toml line 3: table [a.b] conflicts with key 'b' in [a] set on line 2")
        assertError("a = 1\n[a]", "jobs/x.toml line 2: table [a] conflicts with key 'a' set on line 1")
        assertError("[a.b.c]\n[a]\nb = 1", "jobs/x.toml line 3: key 'b' conflicts with table [a.b.c] on line 1")
    }

    func testMissingFileAndDirectory() throws {
        XCTAssertThrowsError(try TOMLDocument.read(path: "jobs/x.toml")) {
            XCTAssertEqual(($0 as? InputError)?.description, "job file 'jobs/x.toml' does not exist; check the path")
            XCTAssertEqual(($0 as? InputError)?.exitCode, ExitStatus.noInput)
        }
        XCTAssertThrowsError(try JobConfig.load(path: ConfigFixtures.directory, section: nil, schema: [])) {
            XCTAssertEqual(($0 as? InputError)?.description, "job file '\(ConfigFixtures.directory)' is a directory; expected a TOML file")
            XCTAssertEqual(($0 as? InputError)?.exitCode, ExitStatus.noInput)
        }
    }
}
