import Dispatch
import Support
#if canImport(Glibc)
import Glibc
#endif

extension NNBenchmark {
    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// CPU seconds of the whole process so far (every thread).
    static func processCPUSeconds() -> Double {
        #if canImport(Glibc)
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + 1e-9 * Double(t.tv_nsec)
        #else
        return 0
        #endif
    }

    /// Calls/s of each body: after 2 warm-up calls each, 8 interleaved rounds of at least
    /// `minimum`/8 seconds (and 2 calls) per body; each body's fastest round counts. Below half a second
    /// in all (the CLI tests' `--seconds 0.05`: figures that only have to exist), 1 warm-up call
    /// and 2 rounds of at least 1 call: debug builds run the packed kernel unoptimised, several
    /// times slower than OpenBLAS, and the production-size GAN step would take minutes.
    func rates(minimum: Double, _ bodies: [() -> Void]) -> [Double] { timedRates(minimum: minimum, bodies).map(\.wall) }

    /// `rates`, plus each body's calls per CPU-second of the process (all its threads; the round
    /// with the least CPU time per call counts): what a step costs while it runs, which stays
    /// readable on a machine whose other processes take the cores for a while.
    func timedRates(minimum: Double, _ bodies: [() -> Void]) -> [(wall: Double, cpu: Double)] {
        let short = minimum < 0.5
        for body in bodies { body(); if !short { body() } }
        var best = [(wall: Double, cpu: Double)](repeating: (0, 0), count: bodies.count)
        let rounds = short ? 2 : 8, calls = short ? 1 : 2
        for _ in 0..<rounds {
            for (i, body) in bodies.enumerated() {
                var count = 0
                let start = NNBenchmark.now(), cpuStart = NNBenchmark.processCPUSeconds()
                var elapsed = 0.0
                repeat {
                    body()
                    count += 1
                    elapsed = Double(NNBenchmark.now() - start) * 1e-9
                } while elapsed < minimum / Double(rounds) || count < calls
                let cpu = NNBenchmark.processCPUSeconds() - cpuStart
                best[i] = (max(best[i].wall, Double(count) / elapsed), max(best[i].cpu, cpu > 0 ? Double(count) / cpu : 0))
            }
        }
        return best
    }

    /// Times `step` and, with `replays`, its sgemm calls alone (scratch and in place).
    func compare(_ step: BenchmarkStep, name: String, replays: Bool) -> Comparison {
        let plan = GemmPlan(step.gemms)
        let flops = plan.flops
        step.step()   // the in-place replay reads buffers a real step has filled
        var bodies: [() -> Void] = [{ step.step() }]
        if replays { bodies += [{ plan.run(inPlace: false) }, { plan.run(inPlace: true) }] }
        let timed = timedRates(minimum: minimumSeconds, bodies)
        let perSecond = timed.map(\.wall)
        func result(_ label: String, _ rate: Double, cpu: Double? = nil) -> Result {
            Result(name: label, stepsPerSecond: rate, samplesPerSecond: rate * Double(step.samplesPerStep),
                   gflops: rate * flops / 1e9, flopsPerStep: flops, stepsPerCPUSecond: cpu)
        }
        let full = result(name, perSecond[0], cpu: timed[0].cpu)
        guard replays else { return Comparison(step: full, sgemm: full, sgemmInPlace: full) }
        return Comparison(step: full, sgemm: result("sgemm only, hot scratch buffers", perSecond[1]),
                          sgemmInPlace: result("sgemm only, in place", perSecond[2]))
    }

    func layerRates(_ calls: [GemmCall]) -> [LayerRate] {
        var distinct: [GemmCall] = []
        var counts: [Int] = []
        for call in calls {
            if let i = distinct.firstIndex(where: { $0.sameShape(call) }) { counts[i] += 1 } else { distinct.append(call); counts.append(1) }
        }
        let plan = GemmPlan(distinct)
        let total = calls.reduce(0) { $0 + $1.flops }
        let each = max(0.01, minimumSeconds / Double(max(distinct.count, 1)) / 2)
        let perSecond = rates(minimum: each * Double(distinct.count), distinct.map { call in { plan.run(call) } })
        let seconds = distinct.indices.map { Double(counts[$0]) / perSecond[$0] }
        let totalSeconds = seconds.reduce(0, +)
        return distinct.indices.map { i in
            LayerRate(shape: distinct[i].label, callsPerStep: counts[i], gflops: perSecond[i] * distinct[i].flops / 1e9,
                      flopShare: Double(counts[i]) * distinct[i].flops / total, timeShare: seconds[i] / totalSeconds)
        }
    }
}
