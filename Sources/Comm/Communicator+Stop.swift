import Foundation
import Support

extension Communicator {
    /// Whether a stop signal (SIGTERM/SIGUSR1) reached any rank: one allreduce, so every rank gets
    /// the same answer at the same safe point and none is left waiting in a later collective.
    public func stopRequested() throws -> Bool {
        try allreduce(Int32(StopSignal.received != 0 ? 1 : 0), op: .max) != 0
    }
}
