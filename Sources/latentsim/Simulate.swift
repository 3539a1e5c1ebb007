import ArgumentParser
import Comm
import Physics
import Support

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate the built-in Drell–Yan (dy) or ZH→μμ+invisible (zh-inv) event table at 13 TeV.",
        discussion: "Event i depends only on (process, seed, i): the table is identical for any number of ranks.")

    @Option(help: "Physics process: dy or zh-inv.") var process = "dy"
    @Option(help: "Number of events (after acceptance cuts).") var events: Int
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Output HDF5 file.") var out: String

    func run() throws {
        let comm = try Communicator.world()
        let settings = try comm.agree { try SimulateSettings(process: process, events: events, seed: seed, out: out) }
        StopSignal.install()
        try SimulateStage.run(settings, comm: comm, console: Console(comm: comm))
    }
}
