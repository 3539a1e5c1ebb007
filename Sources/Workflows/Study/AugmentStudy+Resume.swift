import Comm
import EventStore
import Foundation
import Support

/// Stop and rerun of `study augment`: a grid point's result.json is its saved progress. A stop
/// signal (SIGTERM/SIGUSR1) ends the study at the next point boundary, or inside a point when its
/// reducer or ensemble stops at its own safe step; rerunning the same command keeps every finished
/// point (each is seeded by its index alone, so augment.json ends the same) and redoes the rest.
extension AugmentStudy {
    /// STUDY/points/job.toml: the job file the points were computed with ("" without one).
    static func jobCopy(_ s: StudySettings) -> String { s.path("points/job.toml") }

    static func record(_ s: StudySettings) -> StopRecord { StopRecord(directory: s.out, stage: "study") }

    /// The job file's text, the points' configuration ([study], [ensemble], [reduce]).
    static func jobText(_ s: StudySettings) throws -> String {
        guard let job = s.job else { return "" }
        do { return try String(contentsOfFile: job, encoding: .utf8) } catch {
            throw InputError("cannot read the job file '\(job)' (\(OutputPath.reason(error)))", exitCode: ExitStatus.noInput)
        }
    }

    /// Rank 0: removes augment.json and timing.json (no earlier result may pass for this run's),
    /// keeps the finished points when STUDY/points was computed with the same job file and removes
    /// the rest; a different job file starts afresh. Returns the kept point indices.
    static func prepare(_ s: StudySettings) throws -> [Int] {
        let fm = FileManager.default
        let text = try jobText(s)
        let same = (try? String(contentsOfFile: jobCopy(s), encoding: .utf8)) == text
        var kept: [Int] = []
        do {
            for name in ["augment.json", "timing.json"] + (same ? [] : ["points"]) where fm.fileExists(atPath: s.path(name)) {
                try fm.removeItem(atPath: s.path(name))
            }
            if !same { record(s).clear() }
            for index in s.points.indices {
                if same && fm.fileExists(atPath: pointResult(s, index)) {
                    kept.append(index)
                } else if fm.fileExists(atPath: s.path("points/p\(index)")) {
                    try fm.removeItem(atPath: s.path("points/p\(index)"))
                }
            }
            try fm.createDirectory(atPath: s.path("points"), withIntermediateDirectories: true)
        } catch {
            throw InputError("cannot prepare the study directory '\(s.out)': \(OutputPath.reason(error)); choose another --out",
                             exitCode: ExitStatus.cannotCreate)
        }
        try OutputPath(jobCopy(s)).write(text: text)
        return kept
    }

    /// Runs point `index` unless kept; true when a stop signal ended it inside its reducer or
    /// ensemble (their checkpoints are dropped: the rerun redoes the point from its seed).
    static func runOrStop(_ index: Int, points: [(n: Int, repetition: Int)], settings s: StudySettings,
                          inputs: StudyInputs, console: Console) throws -> Bool {
        let point = points[index]
        let started = Stopwatch()
        let result: JSONValue
        do {
            result = try runPoint(index: index, n: point.n, repetition: point.repetition, settings: s, inputs: inputs)
        } catch let stop as ReportableError where stop.exitCode == ExitStatus.resumable {
            return true
        }
        try OutputPath(pointResult(s, index)).write(text: result.encoderPrettyText + "\n")
        console.line("  point \(index + 1)/\(points.count) (N = \(point.n), seed \(point.repetition)): "
                     + "AUC real \(result["real"]?.double?.formatted(4) ?? "-") in \(started.seconds.formatted(0)) s")
        StopSignal.tick("study")
        return false
    }

    /// The stop: exit 75 naming the finished points, or 78 when none finished since the last stop.
    static func stopped(_ s: StudySettings, comm: Communicator) -> Error {
        let total = s.points.count
        let done = comm.isRoot ? s.points.indices.filter { FileManager.default.fileExists(atPath: pointResult(s, $0)) }.count : 0
        return comm.stopped(record(s), total: total, unit: "grid points",
                            stop: StageStopped("finished \(done) of \(total) grid points, kept in \(s.path("points"))")) { done }
    }
}
