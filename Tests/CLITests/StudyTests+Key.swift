import Foundation
import XCTest
@testable import Support
@testable import Workflows
import Training

/// A study's finished points are keyed on the configuration they depend on (study augment and study latent).
extension StudyTests {
    /// Finished points are keyed on the configuration they depend on, not the job file's text:
    /// rewriting the job file or moving the study keeps them; a value a point used recomputes them,
    /// with a line naming it.
    func testPointsAreKeyedOnTheConfigurationTheyDependOn() throws {
        let out = CLI.path("study-key"), job = out + ".toml"
        func settings(_ text: String, file: String = job) throws -> StudySettings {
            try StudySettings.load(job: CLI.fixture(text: text, to: file), out: out)
        }
        let base = try AugmentStudy.configuration(settings(StudyTests.tinyJob(out)))
        XCTAssertEqual(try AugmentStudy.configuration(settings(StudyTests.reformatted(StudyTests.tinyJob(out)))), base)
        XCTAssertEqual(try AugmentStudy.configuration(settings(StudyTests.tinyJob(CLI.path("elsewhere")))), base, "out is not a point's")
        for (what, changed) in [("[ensemble] steps", StudyTests.tinyJob(out).replacingOccurrences(of: "steps = 60", with: "steps = 61")),
                                ("[study] classifier_steps", StudyTests.tinyJob(out).replacingOccurrences(of: "classifier_steps = 150", with: "classifier_steps = 151")),
                                ("[roles]", StudyTests.tinyJob(out) + "\n[roles]\nmu1_E = \"mu1_E\"\n")] {
            XCTAssertNotEqual(try AugmentStudy.configuration(settings(changed)), base, what)
        }
        // An input table counts by its content's digest in [study], not by its path (StudyTableKeyTests runs it).
        let table = StudyGrid.Table(role: "background", path: CLI.path("some.h5"), sha256: "ab12")
        let keyed = try AugmentStudy.configuration(settings(StudyTests.tinyJob(out)), tables: [table])
        XCTAssertTrue(keyed.hasPrefix("[study]\n") && keyed.contains("\nbackground_sha256 = \"ab12\"\n\n[ensemble]\n"), keyed)
        XCTAssertFalse(keyed.contains("\nbackground = "), keyed)
        XCTAssertEqual(keyed.replacingOccurrences(of: "background_sha256 = \"ab12\"\n", with: ""),
                       base.replacingOccurrences(of: "background = \"dy\"\n", with: ""))
        // Without a job file: the defaults, and the built-in generator.
        let defaults = try AugmentStudy.configuration(StudySettings.load(job: nil, out: out))
        XCTAssertTrue(defaults.contains("\n[ensemble]\n") && defaults.contains("steps = 1000"), defaults)
        // The grid keeps a finished point for the rewritten file and recomputes it for a changed value.
        try? FileManager.default.removeItem(atPath: out)
        let grid = try AugmentStudy.grid(settings(StudyTests.tinyJob(out)))
        XCTAssertEqual(try grid.prepareRoot().kept, [])
        try FileManager.default.createDirectory(atPath: grid.directory(0), withIntermediateDirectories: true)
        try "{}\n".write(toFile: grid.result(0), atomically: true, encoding: .utf8)
        XCTAssertEqual(try AugmentStudy.grid(settings(StudyTests.reformatted(StudyTests.tinyJob(out)))).prepareRoot().kept, [0])
        let changed = try AugmentStudy.grid(settings(StudyTests.tinyJob(out).replacingOccurrences(of: "steps = 60", with: "steps = 61")))
        let prepared = try changed.prepareRoot()
        XCTAssertEqual(prepared.kept, [])
        XCTAssertEqual(prepared.note, "study augment: the points in \(out)/points were computed with another configuration "
                       + "([ensemble] steps is 60 in \(out)/points/config.toml but 61 now); recomputing them")
        XCTAssertFalse(FileManager.default.fileExists(atPath: grid.result(0)))
        // A study stopped by a build that kept the job file's text (points/job.toml) keeps its points
        // when that text is this job file's, and only then.
        for (text, kept) in [(StudyTests.tinyJob(out) + "# edited\n", [Int]()), (StudyTests.tinyJob(out), [0])] {
            try FileManager.default.removeItem(atPath: grid.configurationFile)
            try FileManager.default.createDirectory(atPath: grid.directory(0), withIntermediateDirectories: true)
            try text.write(toFile: grid.path("points/job.toml"), atomically: true, encoding: .utf8)
            try "{}\n".write(toFile: grid.result(0), atomically: true, encoding: .utf8)
            let s = try settings(StudyTests.tinyJob(out))
            try AugmentStudy.adoptJobCopy(s, grid)
            XCTAssertEqual(try grid.prepareRoot().kept, kept)
        }
        // study latent: the number of seeds and the output are not a classifier's; its steps and the model's bytes are.
        var latent = LatentStudySettings(reducer: "r", out: out)
        let model = CLI.fixture(text: "model 1", to: CLI.path("study-key-model"))
        let latentBase = try LatentStudy.configuration(latent, model: model)
        latent.seeds = 5
        latent.out = CLI.path("elsewhere")
        XCTAssertEqual(try LatentStudy.configuration(latent, model: model), latentBase)
        latent.classifier.steps = 4001
        XCTAssertNotEqual(try LatentStudy.configuration(latent, model: model), latentBase)
        latent.classifier.steps = 4000
        XCTAssertEqual(try LatentStudy.configuration(latent, model: model), latentBase)
        XCTAssertNotEqual(try LatentStudy.configuration(latent, model: CLI.fixture(text: "model 2", to: model)), latentBase)
    }
}
