import ArgumentParser
import Comm
import Foundation
import Support
import Training

struct Reduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Learn an invertible map from k features to n < k latent variables (autoencoder or PCA).",
        discussion: "Writes RUN/model.h5 (model, preprocessing, optimizer state, step, config), RUN/history.jsonl, "
            + "RUN/reconstruction.json (held-out KS per column), RUN/latent.h5 (columns z0…z(n-1), the last ones named after the kept features with --keep) "
            + "and RUN/heldout.h5 (the held-out rows, never trained on: evaluate generated events against it).")

    @OptionGroup var options: ReduceOptions

    func run() throws {
        let comm = try Communicator.world()
        let settings = try comm.agree { try options.resolve() }
        StopSignal.install()
        try ReduceStage.run(settings, comm: comm, console: Console(comm: comm))
    }
}
