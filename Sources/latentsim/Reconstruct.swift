import ArgumentParser
import Comm
import Training

struct Reconstruct: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a table through a reducer (encode, then decode) and write the round trip as an event table.",
        discussion: "What the reduction alone loses: every row of --real goes through the reducer's frame step, scaling and "
            + "encoder to its latent codes, and back through the decoder, the scaling's inverse and the zero calibration "
            + "as generated events are decoded; each event keeps its own azimuth. OUT is a float32 /events table in the "
            + "reducer's input columns and row order (file attributes: source, reducer, method, latent, seed, events), "
            + "written under a temporary name renamed when complete. `latentsim evaluate --real FRESH --generated OUT` "
            + "against events the reducer never saw gives the figures a perfect latent-space generator would reach.")

    @Option(help: "The reducer: the run directory of `latentsim reduce` (its model.h5) or a model.h5.") var reducer: String
    @Option(help: "The table to reconstruct (HDF5 or CSV) holding the reducer's input columns.") var real: String
    @Option(help: "Dataset or group holding the table (HDF5).") var dataset = "events"
    @Option(help: "Output HDF5 file.") var out: String
    @Option(help: "Seed of the integer columns' smearing (per-row streams, as in reduce).") var seed: UInt64 = 1
    @Flag(help: "Drop rows holding NaN or Inf instead of refusing the table.") var dropNonfinite = false

    func run() throws {
        let comm = try Communicator.world()
        let settings = ReconstructSettings(reducer: reducer, real: real, dataset: dataset, out: out, seed: seed,
                                           dropNonFinite: dropNonfinite)
        try ReconstructStage.run(settings, comm: comm, console: Console(comm: comm))
    }
}
