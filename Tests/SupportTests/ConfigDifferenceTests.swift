import XCTest
@testable import Support

/// A run's stored config.toml against the current settings, by effective values: options the
/// stored text lacks (added by a later build) count as their default; real differences are named.
final class ConfigDifferenceTests: XCTestCase {
    let schema = [
        ConfigOption("steps", .int, default: 100, help: ""),
        ConfigOption("lr", .double, help: ""),
        ConfigOption("threads", .int, default: 1, help: ""),
        ConfigOption("weights", .numbers, default: .table([:]), help: ""),
        ConfigOption("out", .string, help: ""),
    ]

    func first(_ stored: String, _ current: String, ignoring: Set<String> = []) throws -> ConfigDifference? {
        try ConfigDifference.first(stored: stored, storedFile: "RUN/config.toml", current: current, section: "ensemble",
                                   schema: schema, ignoring: ignoring)
    }

    func testOptionsMissingFromTheStoredTextCountAsTheirDefault() throws {
        let now = "[ensemble]\nout = \"RUN\"\nsteps = 100\nthreads = 1\nweights = {}\n"
        XCTAssertNil(try first("[ensemble]\nout = \"RUN\"\nsteps = 100\n", now))
        // Key order, spacing and an integer written for a float do not matter either.
        XCTAssertNil(try first("[ensemble]\nlr = 1\nsteps = 100\n", "[ensemble]\nsteps  =  100\nlr = 1.0\n"))
    }

    func testTheFirstDifferenceByNameIsReportedWithBothValues() throws {
        let d = try XCTUnwrap(try first("[ensemble]\nsteps = 40\nthreads = 1\n", "[ensemble]\nsteps = 30\nthreads = 2\n"))
        XCTAssertEqual(d, ConfigDifference(name: "steps", stored: "40", current: "30"))
        XCTAssertEqual(d.describe(storedIn: "RUN/config.toml"), "steps is 40 in RUN/config.toml but 30 now")
        XCTAssertEqual(d.restoring, "with steps = 40")
        let added = try XCTUnwrap(try first("[ensemble]\nsteps = 40\n", "[ensemble]\nsteps = 40\nthreads = 2\n"))
        XCTAssertEqual(added.describe(storedIn: "RUN/config.toml"),
                       "threads is 1 (the default; RUN/config.toml does not set it) but 2 now")
        let unset = try XCTUnwrap(try first("[ensemble]\n", "[ensemble]\nlr = 0.5\n"))
        XCTAssertEqual(unset.describe(storedIn: "RUN/config.toml"), "lr is unset in RUN/config.toml but 0.5 now")
        XCTAssertEqual(unset.restoring, "without lr")
    }

    func testIgnoredOptionsAndRoles() throws {
        XCTAssertNil(try first("[ensemble]\nout = \"A\"\n", "[ensemble]\nout = \"B\"\n", ignoring: ["out"]))
        XCTAssertEqual(try first("[ensemble]\nout = \"A\"\n", "[ensemble]\nout = \"B\"\n")?.name, "out")
        let d = try first("[ensemble]\n\n[roles]\nmu1_E = \"E1\"\nmu2_E = \"E2\"\n", "[ensemble]\n\n[roles]\nmu1_E = \"E1\"\n")
        XCTAssertEqual(d, ConfigDifference(name: "[roles] mu2_E", stored: "\"E2\"", current: nil))
        XCTAssertNil(try first("[ensemble]\n\n[roles]\nmu1_E = \"E1\"\n", "[roles]\nmu1_E = \"E1\"\n[ensemble]\n"))
    }
}
