import Dispatch

/// Release-mode throughput of the engine's training steps and the sgemm ceiling of the same
/// shapes, for `latentsim bench`. Run with OPENBLAS_NUM_THREADS=1 (or `BLAS.threads = 1`)
/// for per-core figures. GFLOP/s counts only the matmul FLOPs of a step (2·m·n·k per sgemm),
/// so step GFLOP/s ÷ sgemm-only GFLOP/s is the matmul share of the step time.
public struct NNBenchmark: Sendable {
    public struct Result: Sendable, CustomStringConvertible {
        public let name: String
        public let stepsPerSecond: Double
        public let samplesPerSecond: Double
        public let gflops: Double
        public let flopsPerStep: Double

        public var description: String {
            func f(_ x: Double, _ digits: Int) -> String {
                let scale = Double([1, 10, 100, 1000][min(digits, 3)])
                return String(Double((x * scale).rounded()) / scale)
            }
            return "\(name): \(f(stepsPerSecond, 2)) steps/s, \(f(samplesPerSecond, 0)) samples/s, "
                + "\(f(gflops, 1)) GFLOP/s (\(f(flopsPerStep / 1e6, 1)) MFLOP/step)"
        }
    }

    /// One distinct sgemm shape of a step: how often it occurs and its stand-alone rate.
    public struct LayerRate: Sendable {
        /// "NN 512x17·17x128" = transposes of A and B, then op(A) m×k · op(B) k×n.
        public let shape: String
        public let callsPerStep: Int
        public let gflops: Double
        /// Fraction of the step's matmul FLOPs.
        public let flopShare: Double
    }

    public static let defaultAutoencoderWidths = [17, 512, 128, 64, 8, 4]

    public var minimumSeconds: Double
    public var seed: UInt64

    public init(minimumSeconds: Double = 2, seed: UInt64 = 1) {
        self.minimumSeconds = minimumSeconds
        self.seed = seed
    }

    /// Encoder `widths` + mirrored decoder, LeakyReLU(0.2) hidden, linear latent and output,
    /// MSE, Adam on both; samples/s = batch × steps/s.
    public func autoencoder(widths: [Int] = defaultAutoencoderWidths, batch: Int = 512) throws -> Result {
        let step = try AutoencoderStep(encoderWidths: widths, batch: batch, seed: seed)
        return time(name: "autoencoder \(widths) batch \(batch)", step: step)
    }

    /// The step's sgemm calls alone: on hot scratch buffers (`inPlace` false, the shape
    /// ceiling) or on the step's own buffers in the step's order (`inPlace` true; the step
    /// time minus this is the non-matmul work).
    public func autoencoderSgemm(widths: [Int] = defaultAutoencoderWidths, batch: Int = 512, inPlace: Bool = false) throws -> Result {
        let step = try AutoencoderStep(encoderWidths: widths, batch: batch, seed: seed)
        step.step()
        return timeSgemm(name: "autoencoder sgemm only\(inPlace ? " (in place)" : "")", plan: GemmPlan(step.gemms),
                         inPlace: inPlace, samplesPerStep: batch)
    }

    public func autoencoderLayers(widths: [Int] = defaultAutoencoderWidths, batch: Int = 512) throws -> [LayerRate] {
        try layerRates(AutoencoderStep(encoderWidths: widths, batch: batch, seed: seed).gemms)
    }

    /// One DY-GAN step for `features` = N: D on batch/2 real + batch/2 generated, then G
    /// through D on `batch` samples; Adam on both.
    public func gan(features: Int, batch: Int = 512) throws -> Result {
        let step = try GANStep(features: features, batch: batch, seed: seed)
        return time(name: "GAN N=\(features) batch \(batch)", step: step)
    }

    /// The step's sgemm calls alone (see `autoencoderSgemm`).
    public func ganSgemm(features: Int, batch: Int = 512, inPlace: Bool = false) throws -> Result {
        let step = try GANStep(features: features, batch: batch, seed: seed)
        step.step()
        return timeSgemm(name: "GAN N=\(features) sgemm only\(inPlace ? " (in place)" : "")", plan: GemmPlan(step.gemms),
                         inPlace: inPlace, samplesPerStep: batch)
    }

    public func ganLayers(features: Int, batch: Int = 512) throws -> [LayerRate] {
        try layerRates(GANStep(features: features, batch: batch, seed: seed).gemms)
    }

    /// All of the above as text lines (per-layer rates for the first GAN size only).
    public func report(ganFeatures: [Int] = [17, 7]) throws -> [String] {
        var lines = ["OpenBLAS \(BLAS.coreName), \(BLAS.threads) thread(s)"]
        func percent(_ x: Double) -> String { "\(Int((100 * x).rounded())) %" }
        func group(_ full: Result, _ ceiling: Result, _ inPlace: Result) {
            lines += [full.description, ceiling.description, inPlace.description]
            lines.append("  non-matmul share of step time: \(percent(1 - full.gflops / inPlace.gflops)) "
                         + "(vs hot-scratch sgemm: \(percent(1 - full.gflops / ceiling.gflops)))")
        }
        group(try autoencoder(), try autoencoderSgemm(), try autoencoderSgemm(inPlace: true))
        for n in ganFeatures { group(try gan(features: n), try ganSgemm(features: n), try ganSgemm(features: n, inPlace: true)) }
        if let n = ganFeatures.first {
            for rate in try ganLayers(features: n) {
                lines.append("  \(rate.shape) ×\(rate.callsPerStep): \(Int(rate.gflops.rounded())) GFLOP/s, \(Int((100 * rate.flopShare).rounded())) % of FLOPs")
            }
        }
        return lines
    }

    // MARK: timing

    private static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }

    /// Calls/s of `body` after 2 warm-up calls: the time is split into 5 rounds of at least
    /// `minimum`/5 seconds and 2 calls each, and the fastest round counts (robust against
    /// other processes sharing the core for part of the run).
    private func rate(minimum: Double, _ body: () -> Void) -> Double {
        body(); body()
        var best = 0.0
        for _ in 0..<5 {
            var count = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed = 0.0
            repeat {
                body()
                count += 1
                elapsed = NNBenchmark.seconds(since: start)
            } while elapsed < minimum / 5 || count < 2
            best = max(best, Double(count) / elapsed)
        }
        return best
    }

    func time(name: String, step: BenchmarkStep) -> Result {
        let flops = GemmPlan(step.gemms).flops
        let perSecond = rate(minimum: minimumSeconds) { step.step() }
        return Result(name: name, stepsPerSecond: perSecond, samplesPerSecond: perSecond * Double(step.samplesPerStep),
                      gflops: perSecond * flops / 1e9, flopsPerStep: flops)
    }

    func timeSgemm(name: String, plan: GemmPlan, inPlace: Bool, samplesPerStep: Int) -> Result {
        let perSecond = rate(minimum: minimumSeconds) { plan.run(inPlace: inPlace) }
        return Result(name: name, stepsPerSecond: perSecond, samplesPerSecond: perSecond * Double(samplesPerStep),
                      gflops: perSecond * plan.flops / 1e9, flopsPerStep: plan.flops)
    }

    func layerRates(_ calls: [GemmCall]) -> [LayerRate] {
        var distinct: [GemmCall] = []
        var counts: [Int] = []
        for call in calls {
            if let i = distinct.firstIndex(where: { $0.sameShape(call) }) { counts[i] += 1 } else { distinct.append(call); counts.append(1) }
        }
        let plan = GemmPlan(distinct)
        let total = calls.reduce(0) { $0 + $1.flops }
        let each = max(0.005, minimumSeconds / Double(max(distinct.count, 1)) / 4)
        return distinct.indices.map { i in
            let perSecond = rate(minimum: each) { plan.run(distinct[i]) }
            return LayerRate(shape: distinct[i].label, callsPerStep: counts[i], gflops: perSecond * distinct[i].flops / 1e9,
                             flopShare: Double(counts[i]) * distinct[i].flops / total)
        }
    }
}
