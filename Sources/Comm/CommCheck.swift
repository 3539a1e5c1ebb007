import Foundation
import Support

/// Self-test of the Communicator under a real launcher (used by the multi-rank tests and handy on
/// a new cluster): every collective once, with results any rank count can predict.
public enum CommCheck {
    /// Every collective once on `comm`; `failOnRank` fails that rank inside an agreed step.
    public static func run(comm: Communicator, console: Console, failOnRank: Int?, counterDraws: Int) throws {
        let r = comm.rank, n = comm.size
        var floats: [Float] = [Float(r + 1), Float(r) * 0.5]
        try comm.allreduce(&floats, op: .sum)
        let maxRank = try comm.allreduce(Double(r), op: .max)
        let minRank = try comm.allreduce(Int64(r), op: .min)
        let greeting = try comm.broadcast(r == n - 1 ? "hello from rank \(r)" : "", root: n - 1)
        let gathered = try comm.gather([Int32(r * r)])
        let lowest = try comm.minloc(Double((r * 7 + 3) % n), index: r)
        let ragged = try comm.gatherv([Int64](repeating: Int64(r), count: r + 1))
        let halves = try comm.split(color: r % 2, key: -r)
        let groupSum = try halves.allreduce(Int64(r), op: .sum)
        try comm.barrier()
        console.line("size \(n)")
        console.line("allreduce-sum-float \(floats.map { String($0) }.joined(separator: " "))")
        console.line("allreduce-max-double \(maxRank) allreduce-min-int64 \(minRank)")
        console.line("broadcast \(greeting)")
        console.line("gather \(gathered?.map { String($0) }.joined(separator: " ") ?? "")")
        console.line("minloc \(lowest.value) \(lowest.index)")
        console.line("gatherv \(ragged?.map { String($0) }.joined(separator: " ") ?? "")")
        console.line("split rank0-group size \(halves.size) sum \(groupSum) first-key-rank \(halves.rank)")
        for line in try counterCheck(comm: comm, draws: counterDraws) { console.line(line) }
        try comm.agree {
            if r == failOnRank {
                throw InputError("rank \(r) failed on purpose", exitCode: ExitStatus.dataError)
            }
        }
        console.line("agreed")
    }
}
