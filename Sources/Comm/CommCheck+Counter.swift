import Foundation
import Support

extension CommCheck {
    /// SharedCounter under contention. Every rank draws until it gets a value ≥ `counterDraws`, so
    /// every value below the limit is drawn by someone and each rank draws exactly one value at or
    /// above it: a correct counter hands out exactly 0..<(counterDraws + size), each once. A lost
    /// or repeated increment shows up as a duplicate or gap (a get-then-put counter fails this on
    /// np 2 with 20000 draws). Rank 0 starts late, so the others draw while it makes no MPI call.
    static func counterCheck(comm: Communicator, draws counterDraws: Int) throws -> [String] {
        let counter = try SharedCounter(comm: comm)
        if comm.isRoot { usleep(5_000) }
        var drawn: [Int64] = []
        while true {
            let value = try counter.next()
            drawn.append(value)
            if value >= Int64(counterDraws) { break }
        }
        let kind = counter.kind
        try counter.free()
        let all = try comm.gatherv(drawn)
        // A second counter starting elsewhere, one draw per rank: the start value is honoured.
        let offset = try SharedCounter(comm: comm, start: 7)
        let single = try comm.gatherv([try offset.next()])
        try offset.free()
        return [
            "counter-kind \(kind.rawValue)",
            CommCheck.describe(all ?? [], expected: 0..<Int64(counterDraws + comm.size), name: "counter"),
            CommCheck.describe(single ?? [], expected: 7..<Int64(7 + comm.size), name: "counter-start"),
        ]
    }

    public static func describe(_ values: [Int64], expected: Range<Int64>, name: String) -> String {
        if values.sorted() == Array(expected) {
            return "\(name) \(expected.lowerBound)..<\(expected.upperBound) each drawn once"
        }
        return "\(name) wrong: \(values.count) draws, \(Set(values).count) distinct, range "
            + "\(values.min() ?? -1)...\(values.max() ?? -1), expected \(expected.lowerBound)..<\(expected.upperBound) each once"
    }
}
