import Support
extension NNBenchmark {
    /// Where one step's time goes: the step itself, its matrix products replayed in place, and its
    /// elementwise passes and optimizer updates replayed on scratch buffers of the same shapes.
    /// Times are CPU time of the process per call (the serial step runs on one thread), so that
    /// the split stays readable on a machine whose other processes take the core for a while.
    /// `rest` (loss, noise, copies, cache effects, timing noise) is what none of them explains.
    public struct Breakdown: Sendable, CustomStringConvertible {
        public let name: String
        /// Seconds per step of each part.
        public let step: Double
        public let sgemm: Double
        public let forwardSweeps: Double
        public let backwardSweeps: Double
        public let optimizer: Double
        public var rest: Double { step - sgemm - forwardSweeps - backwardSweeps - optimizer }

        public var description: String {
            func part(_ label: String, _ seconds: Double) -> String {
                "  \(label): \(format(seconds * 1e3, 3)) ms (\(format(100 * seconds / step, 1)) %)"
            }
            return ["\(name): \(format(step * 1e3, 3)) ms CPU time per step",
                    part("products in place (sgemm, packed forward kernel)", sgemm), part("bias+activation sweeps", forwardSweeps),
                    part("activation-backward sweeps", backwardSweeps), part("optimizer updates", optimizer),
                    part("rest (loss, noise, copies, cache effects)", rest)].joined(separator: "\n")
        }
    }

    func breakdown(_ step: BenchmarkStep, name: String) -> Breakdown {
        let gemms = GemmPlan(step.gemms)
        let sweeps = SweepPlan(step.sweeps, parameterCounts: step.optimizedParameterCounts)
        step.step()   // the in-place replay reads buffers a real step has filled
        let perSecond = timedRates(minimum: minimumSeconds, [
            { step.step() }, { gemms.run(inPlace: true) }, { sweeps.runForward() }, { sweeps.runBackward() },
            { sweeps.runOptimizers() },
        ]).map(\.cpu)
        let seconds = perSecond.map { 1 / $0 }
        return Breakdown(name: name, step: seconds[0], sgemm: seconds[1], forwardSweeps: seconds[2],
                         backwardSweeps: seconds[3], optimizer: seconds[4])
    }
}
