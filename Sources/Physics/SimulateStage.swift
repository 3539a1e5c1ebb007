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
/// process, seed and i) in chunks, and all ranks write one file collectively. A stop signal is
/// agreed between chunks; the stage then exits resumable without writing anything (a rerun redoes
/// the one file: generation is the short part).
public enum SimulateStage {
    /// Events per rank between two stop checks.
    public static let chunk = 65_536

    public static func run(_ s: SimulateSettings, comm: Communicator, console: Console) throws {
        let clock = Stopwatch()
        let record = StopRecord(beside: s.out, stage: "simulate")
        let rows = comm.share(of: s.events)
        let generator = EventGenerator(process: s.process, seed: s.seed)
        var values = [Float](repeating: 0, count: rows.count * EventGenerator.columns.count)
        // Every rank takes part in every round's stop check, with or without rows left.
        let rounds = (Communicator.share(of: s.events, rank: 0, size: comm.size).count + chunk - 1) / chunk
        for round in 0..<rounds {
            let part = min(rows.count, round * chunk)..<min(rows.count, (round + 1) * chunk)
            values.withUnsafeMutableBufferPointer { buffer in
                let width = EventGenerator.columns.count
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[(part.lowerBound * width)..<(part.upperBound * width)])
                generator.fill(rows: (rows.lowerBound + part.lowerBound)..<(rows.lowerBound + part.upperBound), into: slice)
            }
            StopSignal.tick("simulate")
            if try comm.stopRequested() {
                let done = Int(try comm.allreduce(Int64(min(rows.count, (round + 1) * chunk)), op: .sum))
                throw comm.stopped(record, total: s.events, unit: "events", stop: StageStopped(
                    "simulated \(done) of \(s.events) events in memory, wrote nothing (simulate redoes its one file \(s.out))")) { 0 }
            }
        }
        let table = EventTable(columns: EventGenerator.columns, rows: rows.count, values: values, firstRow: rows.lowerBound)
        let generated = try comm.allreduce(clock.seconds, op: .max)
        try EventWriter.write(table, to: s.out, attributes: [
            ("process", .string(s.process.rawValue)), ("seed", .int(Int64(s.seed))), ("events", .int(Int64(s.events))),
        ], comm: comm)
        comm.clearing(record)
        let total = clock.seconds
        console.line("simulated \(s.events) \(s.process.rawValue) events (seed \(s.seed)) on \(comm.size) rank(s) "
                     + "in \(total.formatted(2)) s: \(Int(Double(s.events) / total / Double(comm.size))) events/s per rank "
                     + "including the HDF5 write (generation alone \(Int(Double(s.events) / generated / Double(comm.size))) "
                     + "events/s per rank) -> \(s.out)")
    }
}
