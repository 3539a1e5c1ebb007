import ArgumentParser
import Comm
import Generation
import Support

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate N events with a trained generator into sharded HDF5 files stitched by a virtual-dataset master.",
        discussion: "GEN/shard-00000.h5, … hold float32 /events (the training table's columns, integers integer, mu2_py "
            + "restored with a random azimuth); GEN/events.h5 is a virtual dataset over all of them "
            + "(h5py.File('GEN/events.h5')['events'] from any directory); GEN/manifest.json lists the shards with their "
            + "SHA-256. Event i depends only on (model, seed, i): the output is identical for any number of ranks. Rerunning "
            + "with the same arguments regenerates only missing or damaged shards; `latentsim verify GEN` checks them. "
            + "SIGTERM/SIGUSR1 stop it after the current shard (exit 75; the manifest lists the finished shards).")

    @Option(help: "Model directory: RUN/best of `latentsim ensemble` (generator.h5 [+ reducer.h5]).") var model: String
    @Option(help: "Number of events to generate.") var events: Int
    @Option(help: "Output directory.") var out: String
    @Option(help: "Events per shard file.") var shardEvents = 1_000_000
    @Option(help: "Random seed (noise and azimuth of every event).") var seed: UInt64 = 1
    @Option(help: "shards (files + virtual master) or single (one file written collectively with MPI-IO).")
    var layout = "shards"
    @Flag(help: "Replace an existing output from a different model, seed or size.") var overwrite = false

    func run() throws {
        let comm = try Communicator.world()
        let settings = try comm.agree {
            try GenerateSettings(model: model, events: events, out: out, shardEvents: shardEvents, seed: seed,
                                 layout: layout, overwrite: overwrite)
        }
        StopSignal.install()
        try GenerateStage.run(settings, comm: comm)
    }
}
