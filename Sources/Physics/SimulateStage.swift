import Comm
import EventStore
import Foundation
import Support

/// What `simulate` needs: the process, how many events, the seed and the output file.
public struct SimulateSettings {
    public var process: PhysicsProcess
    public var events: Int
    public var seed: UInt64
    public var out: String

    /// Checks the process name and the event count; one line naming the fix otherwise.
    public init(process: String, events: Int, seed: UInt64, out: String) throws {
        guard let physics = PhysicsProcess(rawValue: process) else {
            throw InputError("unknown process '\(process)'; expected one of: "
                             + PhysicsProcess.allCases.map(\.rawValue).joined(separator: ", "), exitCode: ExitStatus.usage)
        }
        guard events > 0 else {
            throw InputError("--events must be a positive number of events, found \(events)", exitCode: ExitStatus.usage)
        }
        self.process = physics
        self.events = events
        self.seed = seed
        self.out = out
    }
}

/// The simulate stage: every rank generates its share of the events (event i depends only on
/// process, seed and i) and all ranks write one file collectively.
public enum SimulateStage {
    public static func run(_ s: SimulateSettings, comm: Communicator, console: Console) throws {
        let clock = Stopwatch()
        let rows = comm.share(of: s.events)
        let table = EventGenerator(process: s.process, seed: s.seed).generate(rows: rows)
        let generated = try comm.allreduce(clock.seconds, op: .max)
        try EventWriter.write(table, to: s.out, attributes: [
            ("process", .string(s.process.rawValue)), ("seed", .int(Int64(s.seed))), ("events", .int(Int64(s.events))),
        ], comm: comm)
        let total = clock.seconds
        console.line("simulated \(s.events) \(s.process.rawValue) events (seed \(s.seed)) on \(comm.size) rank(s) "
                     + "in \(total.formatted(2)) s: \(Int(Double(s.events) / total / Double(comm.size))) events/s per rank "
                     + "including the HDF5 write (generation alone \(Int(Double(s.events) / generated / Double(comm.size))) "
                     + "events/s per rank) -> \(s.out)")
    }
}
