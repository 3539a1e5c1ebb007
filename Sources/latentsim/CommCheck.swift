import ArgumentParser
import Comm

/// Hidden self-test of the Communicator under a real launcher (CommCheck in Comm).
struct CommCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "comm-check", shouldDisplay: false)

    @Option(help: "Make this rank fail inside a collectively agreed step (tests error agreement).")
    var failOnRank: Int?
    @Option(help: "Values the shared-counter check hands out before every rank stops drawing.")
    var counterDraws = 100

    func run() throws {
        let comm = try Communicator.world()
        try CommCheck.run(comm: comm, console: Console(comm: comm), failOnRank: failOnRank, counterDraws: counterDraws)
    }
}
