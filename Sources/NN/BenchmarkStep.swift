import Support
/// The training steps the benchmark times. Each allocates everything in `init`; `step()` is
/// allocation-free and is also what the zero-allocation test drives.
protocol BenchmarkStep: AnyObject {
    var batch: Int { get }
    /// Samples consumed per step.
    var samplesPerStep: Int { get }
    /// The sgemm calls of one step, in order.
    var gemms: [GemmCall] { get }
    /// The elementwise sweeps of one step, in order (see `SweepPlan`).
    var sweeps: [SweepCall] { get }
    /// Parameters updated by each optimizer step of one step.
    var optimizedParameterCounts: [Int] { get }
    @discardableResult func step() -> Float
}
