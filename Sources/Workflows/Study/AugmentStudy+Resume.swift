import EventStore
import Foundation
import Support

/// Stop and rerun of `study augment` (StudyGrid): a grid point's result.json is its saved progress.
/// A stop signal (SIGTERM/SIGUSR1) ends the study at the next point boundary, or inside a point when
/// its reducer or ensemble stops at its own safe step (their checkpoints are dropped: the rerun
/// redoes that point from its seed); rerunning the same command keeps every finished point (each is
/// seeded by its index alone, so augment.json ends the same) and redoes the rest.
extension AugmentStudy {
    /// STUDY/points, with the stop record "study" (.latentsim-stop-study.json) and the test hook
    /// LATENTSIM_TEST_STOP=study:N.
    static func grid(_ s: StudySettings) throws -> StudyGrid {
        StudyGrid(out: s.out, folder: "points", count: s.points.count, command: "study augment", stage: "study",
                  unit: ("point", "grid points"), configuration: try configuration(s), outputs: ["augment.json", "timing.json"])
    }

    /// What the points depend on: the job file's text ([study], [ensemble], [reduce]; "" without one).
    static func configuration(_ s: StudySettings) throws -> String {
        guard let job = s.job else { return "" }
        do { return try String(contentsOfFile: job, encoding: .utf8) } catch {
            throw InputError("cannot read the job file '\(job)' (\(OutputPath.reason(error)))", exitCode: ExitStatus.noInput)
        }
    }
}
