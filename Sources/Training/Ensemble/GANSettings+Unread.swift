import Support

/// Options the chosen model does not read, refused instead of silently ignored. Read by the trainers:
/// - GAN and WGAN-GP (GANTrainer, RegressionPath, MMDTerm): noise, generator_widths,
///   discriminator_widths, ema, regression, c1, c2 and the MMD term; WGAN-GP alone gp_lambda and
///   critic_steps (the BCE GAN takes 1 discriminator step and no penalty);
/// - VAE (VAETrainer): vae_latent, vae_widths, vae_beta;
/// - flow (FlowTrainer): flow_widths, flow_steps, flow_integrator, ema.
/// Every model reads the rest (slope, batch, optimizer, lr, schedule, threads, …). Only a value other
/// than the default is refused: every run's config.toml stores all options with their defaults, and
/// `--config RUN/config.toml` must still repeat the run. A value that says what the model does
/// anyway is accepted too: ema = 0 for a VAE (no average), regression = [] and c1 = c2 = 0 for a VAE
/// or a flow (no terms), gp_lambda = 0 and critic_steps = 1 for the BCE GAN, the VAE and the flow.
/// (`mmd` itself is refused for the VAE and the flow by `validateMMD`, which runs first.)
extension GANSettings {
    private struct Unread {
        let name: String
        /// Values with no effect that are nevertheless accepted (besides the default).
        var accepted: [TOMLValue] = []
        let why: String, fix: String
    }

    /// The options this model does not read, in the order they are checked.
    private var unreadOptions: [Unread] {
        let gan = model == .gan || model == .wganGP
        let kind = model == .vae ? "a VAE" : model == .flow ? "a flow" : "a GAN"
        var list: [Unread] = []
        if !gan {
            list.append(model == .vae
                ? Unread(name: "noise", why: "the decoder reads vae_latent = \(vaeLatent) noise values per event",
                         fix: "set vae_latent to change that width and remove noise")
                : Unread(name: "noise", why: "a flow's noise is as wide as its rows (one value per generated column)", fix: "remove noise"))
        }
        if model == .vae {
            list.append(Unread(name: "ema", accepted: [.float(0)], why: "a VAE's snapshots sample its decoder's raw weights (no moving average)",
                               fix: "remove ema (or set it to 0)"))
        }
        if !gan {
            let own = model == .vae ? "vae_widths" : "flow_widths"
            let networks = model == .vae ? "a VAE's encoder and decoder take their widths" : "a flow's velocity network takes its widths"
            list += [Unread(name: "generator_widths", why: "\(networks) from \(own)", fix: "set \(own) and remove generator_widths"),
                     Unread(name: "discriminator_widths", why: "\(kind) has no discriminator", fix: "remove discriminator_widths")]
        }
        if model != .wganGP {
            list += [Unread(name: "gp_lambda", accepted: [.float(0)], why: "only model = wgan-gp's critic has a gradient penalty",
                            fix: "remove gp_lambda (or choose model = wgan-gp)"),
                     Unread(name: "critic_steps", accepted: [.integer(1)],
                            why: "only model = wgan-gp takes several critic steps per generator step (\(kind) takes 1)",
                            fix: "remove critic_steps (or choose model = wgan-gp)")]
        }
        if !gan {
            let terms = "\(kind) trains without the GAN generator's loss terms"
            list += [Unread(name: "regression", accepted: [.array([])], why: terms, fix: "set regression = [] (or choose a GAN)")]
            list += ["c1", "c2"].map { Unread(name: $0, accepted: [.float(0)], why: terms, fix: "remove \($0) (or choose a GAN)") }
            list += ["mmd_weight", "mmd_bandwidth", "mmd_kernels", "mmd_batch", "mmd_joint"].map {
                Unread(name: $0, why: terms, fix: "remove \($0) (or choose a GAN)")
            }
        }
        if model != .vae {
            list += ["vae_latent", "vae_widths", "vae_beta"].map {
                Unread(name: $0, why: "only model = vae has an encoder and a latent space", fix: "remove \($0) (or choose model = vae)")
            }
        }
        if model != .flow {
            list += ["flow_widths", "flow_steps", "flow_integrator"].map {
                Unread(name: $0, why: "only model = flow has a velocity network and an ODE sampler", fix: "remove \($0) (or choose model = flow)")
            }
        }
        return list
    }

    /// The first unread option set by the job file or the command line to a value other than its
    /// default (or an accepted no-effect value), as one line (exit 64).
    func refuseUnreadOptions(_ job: JobConfig) throws {
        for option in unreadOptions {
            guard let value = job.effectiveValue(option.name),
                  value != GANSettings.schema.first(where: { $0.name == option.name })?.defaultValue,
                  !option.accepted.contains(value) else { continue }
            // A value other than the default was set by the command line (or a caller's overrides) or by the job file.
            let line = job.overrides[option.name] == nil ? job.fileValues[option.name]?.line : nil
            let place = line.map { "set in \(job.file ?? "the job file"), line \($0)" } ?? "given on the command line"
            throw InputError("\(option.name) = \(value.tomlText) (\(place)) has no effect with model = \(model.rawValue): "
                             + "\(option.why); \(option.fix)", exitCode: ExitStatus.usage)
        }
    }
}
