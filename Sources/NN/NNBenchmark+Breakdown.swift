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
        /// The products in place again, one role at a time (`GemmCall.Role`: forward, dX, dW), each
        /// with its seconds and FLOPs per step; timed apart, so they need not add up to `sgemm` exactly.
        public let roles: [(label: String, seconds: Double, flops: Double)]
        /// One core's measured FMA peak, GFLOP/s (`bench`'s peak record): adds each role's fraction of it.
        public var peak: Double?
        public var rest: Double { step - sgemm - forwardSweeps - backwardSweeps - optimizer }

        public var description: String {
            func part(_ label: String, _ seconds: Double) -> String {
                "  \(label): \(format(seconds * 1e3, 3)) ms (\(format(100 * seconds / step, 1)) %)"
            }
            let roleLines = roles.map { role in
                let gflops = role.flops / role.seconds / 1e9
                let fraction = peak.map { ", \(format(gflops / $0, 2)) of peak" } ?? ""
                return "    \(role.label): \(format(role.seconds * 1e3, 3)) ms (\(format(100 * role.seconds / step, 1)) %), "
                    + "\(format(role.flops / 1e6, 1)) MFLOP, \(format(gflops, 1)) GFLOP per CPU-second\(fraction)"
            }
            let head = ["\(name): \(format(step * 1e3, 3)) ms CPU time per step",
                        part("products in place (sgemm, packed forward kernel)", sgemm)]
            return (head + roleLines + [part("bias+activation sweeps", forwardSweeps),
                    part("activation-backward sweeps", backwardSweeps), part("optimizer updates", optimizer),
                    part("rest (loss, noise, copies, cache effects)", rest)]).joined(separator: "\n")
        }
    }

    func breakdown(_ step: BenchmarkStep, name: String) -> Breakdown {
        let gemms = GemmPlan(step.gemms)
        let sweeps = SweepPlan(step.sweeps, parameterCounts: step.optimizedParameterCounts)
        let roles = GemmCall.Role.allCases.map { role in GemmPlan(step.gemms.filter { $0.role == role }) }.filter { !$0.calls.isEmpty }
        step.step()   // the in-place replay reads buffers a real step has filled
        let perSecond = timedRates(minimum: minimumSeconds, [
            { step.step() }, { gemms.run(inPlace: true) }, { sweeps.runForward() }, { sweeps.runBackward() },
            { sweeps.runOptimizers() },
        ] + roles.map { plan in { plan.run(inPlace: true) } }).map(\.cpu)
        let seconds = perSecond.map { 1 / $0 }
        return Breakdown(name: name, step: seconds[0], sgemm: seconds[1], forwardSweeps: seconds[2],
                         backwardSweeps: seconds[3], optimizer: seconds[4],
                         roles: roles.indices.map { (roles[$0].calls[0].role.rawValue, seconds[5 + $0], roles[$0].flops) })
    }
}
