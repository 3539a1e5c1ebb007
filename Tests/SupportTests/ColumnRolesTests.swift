import XCTest
@testable import Support

/// Which column plays a role: mapped, else by name unless that column is mapped to another role;
/// `[roles]` and `--roles` merged role by role; refusals name the place and the fix.
final class ColumnRolesTests: XCTestCase {
    func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }

    func testAMappedColumnPlaysItsRoleAndOthersMatchByName() throws {
        let roles = try ColumnRoles(["mu1_E": "E1", "mu2_E": "mu1_E"], source: "--roles")
        let columns = ["E1", "mu1_E", "mu1_px", "nvtx", "px2"]
        XCTAssertEqual(roles.column("mu1_E", in: columns), "E1")
        XCTAssertEqual(roles.column("mu2_E", in: columns), "mu1_E", "a column named like one role may play another")
        XCTAssertEqual(roles.column("mu1_px", in: columns), "mu1_px", "by name")
        XCTAssertNil(roles.column("mu2_px", in: columns), "px2 is not mapped")
        XCTAssertNil(try ColumnRoles(["mu1_px": "pxA"], source: "x").column("mu1_px", in: columns),
                     "a mapped role whose column is absent is not played by name either")
        XCTAssertEqual(roles.columns(["mu1_E", "mu1_px"], in: columns), ["E1", "mu1_px"])
        XCTAssertNil(roles.columns(["mu1_E", "mu2_px"], in: columns))
        XCTAssertEqual(roles.resolve("mu1_E", in: columns), "mu1_E", "a column of the name wins over the role")
        XCTAssertEqual(roles.resolve("mu2_E", in: columns), "mu1_E")
        XCTAssertEqual(roles.resolve("mll", in: columns), "mll")
        XCTAssertEqual(ColumnRoles().column("nvtx", in: columns), "nvtx")
    }

    func testTheCommandLineOverridesTheJobFileRoleByRole() throws {
        let job = try ConfigFixtures.text("roles.toml", "[reduce]\nlatent = 3\n\n[roles]\nmu1_E = \"E1\"\nnvtx = \"NPV\"\n")
        let file = try ColumnRoles.load(job: job, cli: nil)
        XCTAssertEqual(file.mapping, ["mu1_E": "E1", "nvtx": "NPV"])
        XCTAssertEqual(file.source, "[roles] in \(job)")
        XCTAssertEqual(file.tomlText, "\n[roles]\nmu1_E = \"E1\"\nnvtx = \"NPV\"\n")
        let both = try ColumnRoles.load(job: job, cli: "nvtx=nPV, met_px=METx")
        XCTAssertEqual(both.mapping, ["mu1_E": "E1", "nvtx": "nPV", "met_px": "METx"])
        XCTAssertEqual(both.source, "[roles] in \(job) and --roles")
        XCTAssertEqual(try ColumnRoles.load(job: nil, cli: nil), ColumnRoles())
        XCTAssertEqual(ColumnRoles().tomlText, "", "no map, no table: config.toml stays as it was")
    }

    func testBadMapsAreRefusedWithThePlaceAndTheFix() throws {
        let job = try ConfigFixtures.text("bad-roles.toml", "[roles]\nmu1_E = \"E1\"\nmu1_px = 3\n")
        XCTAssertEqual(message { try ColumnRoles.load(job: job, cli: nil) },
                       "\(job) line 3: role 'mu1_px' expects a column name (a string), found an integer (3)")
        XCTAssertEqual(message { try ColumnRoles.parse("mu1_E=E1,px1") },
                       "--roles: expected ROLE=COLUMN pairs separated by commas (mu1_E=E1,mu1_px=px1), found 'px1'")
        XCTAssertEqual(message { try ColumnRoles.parse("mu1_E=E1,mu1_E=E2") }, "--roles: role mu1_E is given twice; give each role once")
        XCTAssertEqual(message { try ColumnRoles.parse("mu1_e=E") },
                       "--roles: unknown role 'mu1_e'; did you mean 'mu1_E'? (roles: \(ColumnRoles.all.joined(separator: ", ")))")
        XCTAssertEqual(message { try ColumnRoles.parse("met=MET") },
                       "--roles: unknown role 'met' (roles: \(ColumnRoles.all.joined(separator: ", ")))", "nothing near enough")
        XCTAssertEqual(message { try ColumnRoles.parse("jet6_pt=j6") },
                       "--roles: unknown role 'jet6_pt'; did you mean 'jet1_pt'? (roles: \(ColumnRoles.all.joined(separator: ", ")))")
        XCTAssertEqual(message { try ColumnRoles.parse("mu1_iso=iso,mu2_iso=iso") },
                       "--roles: roles mu1_iso and mu2_iso both name column 'iso'; expected one column per role; "
                       + "map each role to its own column")
        XCTAssertEqual(message { try ColumnRoles.parse("mu1_E=E1").check(columns: ["E", "px"], table: "t.csv") },
                       "--roles: role mu1_E is mapped to column 'E1', which 't.csv' lacks; its columns: E, px; fix the mapping")
    }
}
