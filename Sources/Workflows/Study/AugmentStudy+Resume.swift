import EventStore
import Foundation
import Support
import Training

/// Stop and rerun of `study augment` (StudyGrid): a grid point's result.json is its saved progress.
/// A stop signal (SIGTERM/SIGUSR1) ends the study at the next point boundary, or inside a point when
/// its reducer or ensemble stops at its own safe step (their checkpoints are dropped: the rerun
/// redoes that point from its seed); rerunning the same command keeps every finished point (each is
/// seeded by its index alone, so augment.json ends the same) and redoes the rest.
extension AugmentStudy {
    /// STUDY/points, with the stop record "study" (.latentsim-stop-study.json) and the test hook
    /// LATENTSIM_TEST_STOP=study:N.
    static func grid(_ s: StudySettings, tables: [StudyGrid.Table] = []) throws -> StudyGrid {
        StudyGrid(out: s.out, folder: "points", count: s.points.count, command: "study augment", stage: "study",
                  unit: ("point", "grid points"), configuration: try configuration(s, tables: tables),
                  outputs: ["augment.json", "timing.json"], tables: tables)
    }

    /// Everything a grid point's result depends on, as canonical TOML (JobConfig.canonical): [study]
    /// with n_real and ratios in the order they run (not out; an input table, `tables`, by its
    /// content's SHA-256 as signal_sha256 and so on instead of its path), the generators' [ensemble] (the
    /// built-in one without that table) without what every point sets itself (data, out, seed,
    /// reducer, ranks_per_restart), [reduce] for space = latent without data, out and seed, and the
    /// column roles. Comments, layout, key order, number spelling and the job file's other tables do
    /// not count: reformatting the job file keeps the finished points, changing a value they used does not.
    static func configuration(_ s: StudySettings, tables: [StudyGrid.Table] = []) throws -> String {
        func section(_ name: String, _ schema: [ConfigOption], _ overrides: ConfigOverrides = ConfigOverrides(),
                     ignoring: Set<String>) throws -> String {
            try JobConfig.load(path: s.job, section: name, schema: schema, otherSections: JobSections.besides(name),
                               overrides: overrides).canonical(ignoring: ignoring)
        }
        var sorted = ConfigOverrides()
        sorted.set("n_real", s.nReal)
        sorted.set("ratios", s.ratios)
        let generator = try generatorOverrides(s)
        let digests = tables.sorted { $0.key < $1.key }.map { "\($0.key) = \(TOMLValue.string($0.sha256).tomlText)\n" }.joined()
        var text = try section("study", StudySettings.schema, sorted, ignoring: Set(["out"] + tables.map(\.role))) + digests + "\n"
            + section("ensemble", GANSettings.schema, generator, ignoring: ["data", "out", "seed", "reducer", "ranks_per_restart"])
        if try generatorSpace(s, generator) == "latent" {
            text += try "\n" + section("reduce", ReduceSettings.schema, ignoring: ["data", "out", "seed"])
        }
        return text + (try ColumnRoles.load(job: s.job, cli: nil).tomlText)
    }

    /// A study stopped by an earlier build, which kept the job file's text (STUDY/points/job.toml)
    /// rather than the configuration: when that text is this job file's, its points were computed
    /// with this configuration, which becomes points/config.toml so that `prepare` keeps them. Rank 0.
    static func adoptJobCopy(_ s: StudySettings, _ grid: StudyGrid) throws {
        let old = grid.path("points/job.toml")
        guard !FileManager.default.fileExists(atPath: grid.configurationFile),
              let stored = try? String(contentsOfFile: old, encoding: .utf8),
              stored == (s.job.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "") else { return }
        try OutputPath(grid.configurationFile).write(text: grid.configuration)
        try? FileManager.default.removeItem(atPath: old)
    }
}
