import Support

/// Options the chosen model does not read, refused instead of silently ignored: `noise` (a VAE's
/// decoder reads `vae_latent` values; a flow's noise is as wide as its rows) and `ema` (a VAE's
/// snapshots sample its decoder's raw weights). Only a value other than the default is refused:
/// every run's config.toml stores all options with their defaults, and `--config RUN/config.toml`
/// must still repeat the run. `ema = 0` (no average) is what a VAE does, so it is accepted too.
extension GANSettings {
    /// The unread option set by the job file or the command line, as one line (exit 64).
    func refuseUnreadOptions(_ job: JobConfig) throws {
        var defaults = JobConfig(schema: GANSettings.schema)
        var unread: [(name: String, value: String, why: String, fix: String)] = []
        if model == .vae || model == .flow, noise != (try defaults.int("noise")) {
            unread.append(model == .vae
                ? ("noise", "\(noise)", "the decoder reads vae_latent = \(vaeLatent) noise values per event",
                   "set vae_latent to change that width and remove noise")
                : ("noise", "\(noise)", "a flow's noise is as wide as its rows (one value per generated column)", "remove noise"))
        }
        if model == .vae, ema != 0, ema != (try defaults.double("ema")) {
            unread.append(("ema", "\(ema)", "a VAE's snapshots sample its decoder's raw weights (no moving average)",
                           "remove ema (or set it to 0)"))
        }
        guard let first = unread.first else { return }
        // A value other than the default was set by the command line (or a caller's overrides) or by the job file.
        let line = job.overrides[first.name] == nil ? job.fileValues[first.name]?.line : nil
        let place = line.map { "set in \(job.file ?? "the job file"), line \($0)" } ?? "given on the command line"
        throw InputError("\(first.name) = \(first.value) (\(place)) has no effect with model = \(model.rawValue): \(first.why); "
                         + first.fix, exitCode: ExitStatus.usage)
    }
}
