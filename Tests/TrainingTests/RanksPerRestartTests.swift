import Foundation
import XCTest
@testable import Support
@testable import Training

/// `ranks_per_restart = "auto"` (the quickstart's): the group size it resolves to on R ranks with M
/// restarts, and that the resolved settings are those of the integer it resolves to, config.toml
/// included (so an auto run on np 2 is the `ranks_per_restart = 2` run; AutoRanksTests runs both).
final class RanksPerRestartTests: XCTestCase {
    func settings(_ ranks: TOMLValue, restarts: Int = 1) throws -> GANSettings {
        var o = ConfigOverrides()
        o.set("data", "t.h5")
        o.set("space", "full")
        o.set("out", "unused")
        o.set("restarts", restarts)
        o.set("ranks_per_restart", value: ranks)
        return try GANSettings.resolve(config: nil, overrides: o)
    }

    func testAutoResolvesToTheGroupSizeAndIsStoredAsThatInteger() throws {
        // (R, M) → r: M divides R → R/M; R divides M → 1; otherwise gcd(R, M) groups of R/gcd(R, M).
        for (world, restarts, r) in [(1, 1, 1), (2, 1, 2), (3, 1, 3), (4, 1, 4), (4, 2, 2), (2, 8, 1), (3, 2, 3), (4, 6, 2),
                                     (6, 4, 3), (3, 8, 3)] {
            XCTAssertEqual(GANSettings.autoRanksPerRestart(worldSize: world, restarts: restarts), r, "R = \(world), M = \(restarts)")
        }
        let auto = try settings(.string("auto"))
        XCTAssertTrue(auto.ranksPerRestartIsAuto)
        XCTAssertTrue(auto.toml.contains("\nranks_per_restart = \"auto\"\n"), auto.toml)
        for world in [1, 2, 3] {
            let placed = try auto.forWorld(size: world), integer = try settings(.integer(Int64(world))).forWorld(size: world)
            XCTAssertEqual(placed.ranksPerRestart, world)
            XCTAssertFalse(placed.ranksPerRestartIsAuto)
            XCTAssertEqual(placed.toml, integer.toml, "auto on \(world) rank(s) stores what ranks_per_restart = \(world) stores")
        }
        // An integer stays as it was: r = 2 on 3 ranks is refused as before.
        XCTAssertThrowsError(try settings(.integer(2)).forWorld(size: 3)) { error in
            XCTAssertEqual((error as? InputError)?.message, "ranks-per-restart = 2 does not divide the 3 MPI ranks; "
                           + "use an r that divides 3 or auto, or run with a multiple of 2 ranks")
        }
        XCTAssertEqual(try settings(.integer(1)).forWorld(size: 3).ranksPerRestart, 1)
        XCTAssertEqual(try settings(.string("auto"), restarts: 2).forWorld(size: 4).ranksPerRestart, 2)
    }
}
