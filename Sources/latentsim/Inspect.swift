import ArgumentParser
import Comm
import Evaluation

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show an event table's layout, size and per-column statistics.")

    @Argument(help: "HDF5 or CSV file.") var file: String
    @Option(help: "Dataset or group holding the table (HDF5).") var dataset = "events"

    func run() throws {
        let comm = try Communicator.world()
        try InspectStage.run(file: file, dataset: dataset, comm: comm, console: Console(comm: comm))
    }
}
