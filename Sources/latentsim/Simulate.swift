import ArgumentParser
import Comm
import EventStore
import Foundation
import Physics
import Support
import Training
import Generation
import Evaluation

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
        let console = Console(comm: comm)
        let physics = try comm.agree { try validated() }
        let clock = Stopwatch()
        let rows = comm.share(of: events)
        let table = EventGenerator(process: physics, seed: seed).generate(rows: rows)
        let generated = try comm.allreduce(clock.seconds, op: .max)
        try EventWriter.write(table, to: out, attributes: [
            ("process", .string(physics.rawValue)), ("seed", .int(Int64(seed))), ("events", .int(Int64(events))),
        ], comm: comm)
        let total = clock.seconds
        console.line("simulated \(events) \(physics.rawValue) events (seed \(seed)) on \(comm.size) rank(s) "
                     + "in \(total.formatted(2)) s: \(Int(Double(events) / total / Double(comm.size))) events/s per rank "
                     + "including the HDF5 write (generation alone \(Int(Double(events) / generated / Double(comm.size))) "
                     + "events/s per rank) -> \(out)")
    }

    private func validated() throws -> PhysicsProcess {
        guard let physics = PhysicsProcess(rawValue: process) else {
            throw InputError("unknown process '\(process)'; expected one of: "
                             + PhysicsProcess.allCases.map(\.rawValue).joined(separator: ", "), exitCode: ExitStatus.usage)
        }
        guard events > 0 else {
            throw InputError("--events must be a positive number of events, found \(events)", exitCode: ExitStatus.usage)
        }
        return physics
    }
}
