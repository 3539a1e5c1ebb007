import EventStore
import NN

/// The rows one in-process worker of a whole-batch trainer (VAE, flow) draws each step: its shard's
/// batch plan, where the shard starts among the rank's training rows, a staging block for the rows,
/// and the local index and global-batch position of each. Each trainer's lane adds its model replica
/// and its loss sums.
class RowLane {
    let plan: ShardedBatches
    /// Start of the worker's shard among the rank's training rows.
    let offset: Int
    /// The drawn rows, batch × width.
    let input: FloatStorage
    /// Local row index and global-batch position of each row of the current step.
    let indices: UnsafeMutableBufferPointer<Int32>, positions: UnsafeMutableBufferPointer<Int32>

    init(plan: ShardedBatches, offset: Int, width: Int) {
        self.plan = plan
        self.offset = offset
        input = FloatStorage(count: plan.batch * width)
        indices = .allocate(capacity: plan.batch)
        positions = .allocate(capacity: plan.batch)
    }

    deinit {
        indices.deallocate()
        positions.deallocate()
    }
}
