import Foundation
import XCTest
@testable import Support
@testable import Workflows
import Training

/// `latentsim study latent` end to end on a tiny PCA reducer: the result and a stopped study's rerun.
extension StudyTests {
    /// A 3000-event PCA 7 → 3 reducer, shared by the latent-study tests.
    static let latentReducer: String = {
        let data = CLI.path("study-latent-dy.h5"), reducer = CLI.path("study-latent-pca")
        CLI.fixture(["simulate", "--events", "3000", "--seed", "5", "--out", data])
        CLI.fixture(["reduce", "--data", data, "--columns", "mu1_E,mu1_px,mu1_py,mu1_pz,mu2_E,mu2_px,mu2_pz",
                     "--method", "pca", "--latent", "3", "--out", reducer])
        return reducer
    }()

    /// `study latent` on the tiny reducer: 2 seeds, 1000 + 1000 training and test events, 300-step classifiers.
    static func latentArguments(out: String, seeds: Int = 2) -> [String] {
        ["study", "latent", "--reducer", latentReducer, "--out", out, "--events", "1000", "--test-events", "1000",
         "--seeds", String(seeds), "--steps", "300"]
    }

    /// The tiny latent study's latent.json from 2 ranks (study-latent), shared by the latent tests.
    static let latentTwoRanks: String = {
        let out = CLI.path("study-latent")
        CLI.fixture(latentArguments(out: out), ranks: 2)
        guard let text = try? String(contentsOfFile: out + "/latent.json", encoding: .utf8) else {
            fatalError("fixture: the tiny latent study on 2 ranks wrote no \(out)/latent.json")
        }
        return text
    }()

    func testLatentStudyOnATinyReducer() throws {
        let json = try JSONValue.parse(StudyTests.latentTwoRanks)
        XCTAssertEqual(json["latent"]?.int, 3)
        XCTAssertEqual(json["features"]?.int, json["feature_names"]?.items?.count)
        let features = try XCTUnwrap(json["auc"]?["features"]?.items?.compactMap { $0.double })
        let latent = try XCTUnwrap(json["auc"]?["latent"]?.items?.compactMap { $0.double })
        XCTAssertEqual(features.count, 2)
        XCTAssertEqual(latent.count, 2)
        // The muons' momenta alone separate zh-inv (hard dimuon pT) from DY; 3 codes keep part of it.
        XCTAssertGreaterThan(features[0], 0.8)
        XCTAssertGreaterThan(latent[0], 0.6)
        XCTAssertLessThanOrEqual(max(features[0], latent[0]), 1)
        XCTAssertNil(json["seconds"], "timing lives in latent-timing.json, so reruns write the same latent.json")
        XCTAssertNotNil(try JSONValue.parse(String(contentsOfFile: CLI.path("study-latent/latent-timing.json"), encoding: .utf8))["seconds"])
    }

    /// Stopped by SIGUSR1 after each rank's first classifier (LATENTSIM_TEST_STOP=study-latent:1)
    /// under mpirun -np 2: exit 75 naming the 2 finished of 4; the rerun on 3 ranks trains only the
    /// other 2 and writes the 2-rank uninterrupted run's latent.json byte for byte; a rerun of the
    /// finished study with a third seed keeps all 4 and trains 2 more.
    func testStoppedLatentStudyContinuesOnRerunWithTheSameLatentJson() throws {
        let out = CLI.path("study-latent-stop"), expected = StudyTests.latentTwoRanks
        func finished() -> [Int] { (0..<6).filter { FileManager.default.fileExists(atPath: out + "/latent-points/p\($0)/result.json") } }
        let first = try CLI.run(StudyTests.latentArguments(out: out), ranks: 2, extraEnvironment: ["LATENTSIM_TEST_STOP": "study-latent:1"])
        XCTAssertEqual(first.status, 75, first.stderr)
        XCTAssertEqual(first.errorLines, ["stopped: a signal arrived; finished 2 of 4 classifiers, kept in \(out)/latent-points; "
                                          + "rerun the same command to continue"])
        XCTAssertEqual(finished(), [0, 1])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/latent.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/.latentsim-stop-study-latent.json"))
        let second = try CLI.run(StudyTests.latentArguments(out: out), ranks: 3)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("2 finished classifier(s) kept from an earlier run"), second.stdout)
        XCTAssertFalse(second.stdout.contains("  classifier 1/4"), "classifier 0 is not trained again:\n\(second.stdout)")
        XCTAssertTrue(second.stdout.contains("  classifier 4/4 (seed 1, latent variables): AUC "), second.stdout)
        XCTAssertEqual(try String(contentsOfFile: out + "/latent.json", encoding: .utf8), expected)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/.latentsim-stop-study-latent.json"))
        let third = try CLI.run(StudyTests.latentArguments(out: out, seeds: 3))
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertTrue(third.stdout.contains("4 finished classifier(s) kept from an earlier run"), third.stdout)
        XCTAssertFalse(third.stdout.contains("  classifier 4/6"), third.stdout)
        XCTAssertTrue(third.stdout.contains("  classifier 5/6") && third.stdout.contains("  classifier 6/6"), third.stdout)
        XCTAssertEqual(finished(), Array(0..<6))
        let before = try JSONValue.parse(expected), after = try JSONValue.parse(String(contentsOfFile: out + "/latent.json", encoding: .utf8))
        for input in ["features", "latent"] {
            XCTAssertEqual(after["aucs"]?[input]?.items?.prefix(2).map { $0 }, before["aucs"]?[input]?.items, input)
            XCTAssertEqual(after["aucs"]?[input]?.items?.count, 3, input)
        }
    }
}
