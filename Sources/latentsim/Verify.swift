import ArgumentParser
import Comm
import Generation

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a `latentsim generate` output against its manifest: every shard and the master's mappings.",
        discussion: "Each file listed in GEN/manifest.json must exist with the listed SHA-256, rows and columns, and the "
            + "virtual master GEN/events.h5 must map shard k's rows to rows [first_row, first_row + rows). The first "
            + "problem is named and the exit code is non-zero (66 missing, 65 damaged); otherwise one OK line.")

    @Argument(help: "The output directory of `latentsim generate`.") var directory: String

    func run() throws {
        let comm = try Communicator.world()
        let summary = try comm.agree { comm.isRoot ? try VerifyStage.check(directory: directory) : "" }
        Console(comm: comm).line(summary)
    }
}
