import Foundation
import XCTest
@testable import Support
@testable import Training

/// `GANSettings.fitted(trainingRows:heldOutRows:)`: what a small table cannot support is clipped
/// with one note each; a split that leaves too few rows on either side is refused with the fix.
/// (The CLI tests pin the same lines end to end, under mpirun.)
final class SmallTableSettingsTests: XCTestCase {
    func settings(_ values: [String: Any]) throws -> GANSettings {
        var o = ConfigOverrides()
        o.set("data", "small.h5")
        o.set("space", "full")
        o.set("out", "unused")
        for (key, value) in values {
            switch value {
            case let v as Int: o.set(key, v)
            case let v as Double: o.set(key, v)
            case let v as String: o.set(key, v)
            default: XCTFail("unsupported override \(key)")
            }
        }
        return try GANSettings.resolve(config: nil, overrides: o)
    }

    func testLargeTableKeepsEverySettingWithoutNotes() throws {
        let s = try settings(["batch": 1024, "validation_events": 20000, "top_k": 5, "steps": 4000, "snapshot_every": 100])
        let fit = try s.fitted(trainingRows: 360_000, heldOutRows: 40_000)
        XCTAssertEqual(fit.notes, [])
        XCTAssertEqual([fit.settings.batch, fit.settings.validationEvents, fit.settings.topK], [1024, 20000, 5])
    }

    func testGANBatchIsClippedToTwiceTheTrainingRows() throws {
        let fit = try settings(["batch": 4096]).fitted(trainingRows: 1608, heldOutRows: 392)
        XCTAssertEqual(fit.settings.batch, 3216, "half the batch is real rows: 1608 real + 1608 generated")
        XCTAssertEqual(fit.notes.first, "note: batch 4096 takes 2048 real rows per step but there are 1608 training rows; "
                       + "clipped to 3216 (every training row in each step)")
        // Exactly twice the rows fits: no note.
        XCTAssertEqual(try settings(["batch": 3216, "validation_events": 1000]).fitted(trainingRows: 1608, heldOutRows: 392).notes, [])
    }

    func testVAEBatchIsClippedToTheTrainingRows() throws {
        let fit = try settings(["batch": 4096, "model": "vae", "validation_events": 1000]).fitted(trainingRows: 1608, heldOutRows: 392)
        XCTAssertEqual(fit.settings.batch, 1608)
        XCTAssertEqual(fit.notes, ["note: batch 4096 is larger than the 1608 training rows; clipped to 1608 (every training row in each step)"])
    }

    func testValidationEventsAreClippedToTwentyPerHeldOutRow() throws {
        let fit = try settings(["validation_events": 20000]).fitted(trainingRows: 1608, heldOutRows: 392)
        XCTAssertEqual(fit.settings.validationEvents, 7840)
        XCTAssertEqual(fit.notes, ["note: validation_events 20000 is more than 392 held-out rows can resolve (the snapshot KS "
                                   + "noise shrinks by less than 2.5 % above 20 × 392); clipped to 7840"])
    }

    func testTopKIsClippedToTheSnapshotsOfARestart() throws {
        // 250 steps, every 100: snapshots at 100, 200 and the last step.
        let fit = try settings(["top_k": 5, "steps": 250, "snapshot_every": 100, "validation_events": 1000])
            .fitted(trainingRows: 1608, heldOutRows: 392)
        XCTAssertEqual(fit.settings.topK, 3)
        XCTAssertEqual(fit.notes, ["note: top_k 5 is more than the 3 snapshot(s) a restart scores (steps 250, snapshot_every 100); "
                                   + "clipped to 3"])
    }

    func testTooFewHeldOutRowsAreRefusedWithTheHoldoutThatWouldDo() throws {
        let s = try settings(["holdout": 0.01])
        XCTAssertThrowsError(try s.fitted(trainingRows: 1981, heldOutRows: 19)) { error in
            let e = error as? InputError
            XCTAssertEqual(e?.exitCode, ExitStatus.dataError)
            XCTAssertEqual(e?.description, "holdout = 0.01 holds out 19 of the 2000 rows of 'small.h5'; scoring snapshots needs at least "
                           + "50 held-out rows; use holdout = 0.03 (about 60 rows)")
        }
        // A table too small for both minima: the fix is a larger table.
        XCTAssertThrowsError(try s.fitted(trainingRows: 90, heldOutRows: 10)) { error in
            XCTAssertEqual((error as? InputError)?.description, "holdout = 0.01 holds out 10 of the 100 rows of 'small.h5'; scoring "
                           + "snapshots needs at least 50 held-out rows; use a table of at least 120 rows")
        }
    }

    func testTooFewTrainingRowsAreRefusedWithTheHoldoutThatWouldDo() throws {
        let s = try settings(["holdout": 0.9])
        XCTAssertThrowsError(try s.fitted(trainingRows: 40, heldOutRows: 360)) { error in
            let e = error as? InputError
            XCTAssertEqual(e?.exitCode, ExitStatus.dataError)
            XCTAssertEqual(e?.description, "holdout = 0.9 leaves 40 of the 400 rows of 'small.h5' to train on; at least 50 training "
                           + "rows are needed; use holdout = 0.85 (about 340 held-out rows)")
        }
    }

    /// In latent space the split is the reducer's, so the fix names reduce's option.
    func testLatentSpaceRefusalNamesTheReducersHoldout() throws {
        var s = try settings([:])
        s.space = .latent
        XCTAssertThrowsError(try s.fitted(trainingRows: 268, heldOutRows: 32)) { error in
            XCTAssertEqual((error as? InputError)?.description, "the reducer's held-out split holds out 32 of the 300 rows of "
                           + "'small.h5'; scoring snapshots needs at least 50 held-out rows; retrain the reducer with --holdout 0.2 "
                           + "(about 60 rows)")
        }
    }
}
