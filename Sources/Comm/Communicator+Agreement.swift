import Foundation
import Support

extension Communicator {
    /// Runs `body` on every rank and agrees on the outcome: if any rank throws, every rank throws.
    /// The lowest failing rank rethrows its own error (and is the one that reports it); the others
    /// throw `PeerFailure` with that rank's exit code, so no rank is left waiting in a collective.
    public func agree<T>(_ body: () throws -> T) throws -> T {
        var result: T? = nil
        var failure: Error? = nil
        do { result = try body() } catch { failure = error }
        if size == 1 {
            if let failure { throw failure }
            return result!
        }
        let lowest = try minloc(failure == nil ? 1 : 0, index: rank)
        if lowest.value == 0 {
            let local = (failure as? ReportableError)?.exitCode ?? ExitStatus.software
            let code = try broadcast(Int32(local), root: lowest.index)
            if lowest.index == rank, let failure { throw failure }
            throw PeerFailure(failingRank: lowest.index, exitCode: code)
        }
        return result!
    }

    /// For an error every rank reaches together (same step, same state): rank 0 reports it, the
    /// others exit with its code silently, so the log has one line.
    public func reportedOnce(_ error: ReportableError) -> Error {
        isRoot ? error : PeerFailure(failingRank: 0, exitCode: error.exitCode)
    }

    /// Evenly split `total` items into contiguous ranges, the first `total % size` ranks one longer.
    public func share(of total: Int) -> Range<Int> {
        Communicator.share(of: total, rank: rank, size: size)
    }

    public static func share(of total: Int, rank: Int, size: Int) -> Range<Int> {
        let base = total / size, extra = total % size
        let start = rank * base + Swift.min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }
}
