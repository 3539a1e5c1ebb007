import ArgumentParser
import Comm
import Evaluation
import Support

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show an event table's layout, size and per-column statistics.")

    @Argument(help: "HDF5 or CSV file.") var file: String
    @Option(help: "Dataset or group holding the table (HDF5).") var dataset = "events"
    @Option(help: "Job file (TOML) whose [roles] table says which columns play the physics roles.") var config: String?
    @Option(help: RolesHelp.option) var roles: String?

    func run() throws {
        let comm = try Communicator.world()
        let map = try comm.agree { try ColumnRoles.load(job: config, cli: roles) }
        try InspectStage.run(file: file, dataset: dataset, roles: map, comm: comm, console: Console(comm: comm))
    }
}
