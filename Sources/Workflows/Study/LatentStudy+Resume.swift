import Foundation
import Support

/// Stop and rerun of `study latent` (StudyGrid): every (seed, input) classifier's result.json is
/// saved progress in STUDY/latent-points, beside `study augment`'s STUDY/points, so both studies
/// can share a directory.
extension LatentStudy {
    /// STUDY/latent-points, with the stop record "study-latent" (.latentsim-stop-study-latent.json)
    /// and the test hook LATENTSIM_TEST_STOP=study-latent:N.
    static func grid(_ s: LatentStudySettings, model: String, tables: [StudyGrid.Table] = []) throws -> StudyGrid {
        StudyGrid(out: s.out, folder: "latent-points", count: 2 * s.seeds, command: "study latent", stage: "study-latent",
                  unit: ("classifier", "classifiers"), configuration: try configuration(s, model: model, tables: tables),
                  outputs: ["latent.json", "latent-timing.json"], tables: tables)
    }

    /// Every setting a classifier's AUC depends on: the reducer model's SHA-256 (a reducer retrained
    /// in the same directory counts as another), the samples, sizes, seeds and classifier. Not
    /// `seeds`: seed r's classifiers do not depend on how many seeds there are, so a rerun with more
    /// seeds keeps the finished ones. Not `out` and not the reducer's path; a signal or background
    /// table (`tables`) by its content's SHA-256 (signal_sha256), not its path.
    static func configuration(_ s: LatentStudySettings, model: String, tables: [StudyGrid.Table] = []) throws -> String {
        let c = s.classifier
        func sample(_ role: String, _ name: String) -> (String, TOMLValue) {
            tables.first { $0.role == role }.map { ($0.key, .string($0.sha256)) } ?? (role, .string(name))
        }
        let values: [(String, TOMLValue)] = [
            ("reducer_sha256", .string(try SHA256.hex(files: [model]))),
            sample("signal", s.signal), sample("background", s.background), ("dataset", .string(s.dataset)),
            ("events", .integer(Int64(s.events))), ("test_events", .integer(Int64(s.testEvents))),
            ("seed", .integer(Int64(bitPattern: s.seed))), ("test_seed", .integer(Int64(bitPattern: s.testSeed))),
            ("classifier_steps", .integer(Int64(c.steps ?? 0))), ("classifier_epochs", .integer(Int64(c.epochs))),
            ("classifier_batch", .integer(Int64(c.batch))), ("classifier_hidden", .array(c.hidden.map { .integer(Int64($0)) })),
            ("classifier_lr", .float(Double(c.learningRate))),
        ]
        return "[latent]\n" + values.map { "\($0.0) = \($0.1.tomlText)" }.joined(separator: "\n") + "\n"
    }
}
