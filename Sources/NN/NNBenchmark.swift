import Support
/// Release-mode throughput of the engine's training steps and the sgemm ceiling of the same
/// shapes, for `latentsim bench`. Run with OPENBLAS_NUM_THREADS=1 (or `BLAS.threads = 1`)
/// for per-core figures. GFLOP/s counts only the matmul FLOPs of a step (2·m·n·k per sgemm).
///
/// Timing: after warm-up, each measured body runs in 8 interleaved rounds and the fastest
/// round counts, so a neighbour process that steals the core for a while does not decide the
/// result, and a step and its sgemm-only replays see the same machine conditions.
public struct NNBenchmark: Sendable {
    public struct Result: Sendable, CustomStringConvertible {
        public let name: String
        public let stepsPerSecond: Double
        public let samplesPerSecond: Double
        public let gflops: Double
        public let flopsPerStep: Double
        /// Steps per CPU-second of the process (all threads), where measured: on a shared machine
        /// the step's own speed while it runs. GFLOP per CPU-second over one core's FMA peak is
        /// the step's share of the peak of the cores it used.
        public var stepsPerCPUSecond: Double? = nil

        public var gflopsPerCPUSecond: Double? { stepsPerCPUSecond.map { $0 * flopsPerStep / 1e9 } }

        public var description: String {
            "\(name): \(format(stepsPerSecond, 2)) steps/s, \(format(samplesPerSecond, 0)) samples/s, "
                + "\(format(gflops, 1)) GFLOP/s (\(format(flopsPerStep / 1e6, 1)) MFLOP/step)"
        }
    }

    /// A training step next to its own sgemm calls, replayed alone on hot scratch buffers
    /// (`sgemm`, the shape ceiling) and on the step's buffers in the step's order
    /// (`sgemmInPlace`; the step time minus this is the non-matmul work).
    public struct Comparison: Sendable, CustomStringConvertible {
        public let step: Result
        public let sgemm: Result
        public let sgemmInPlace: Result
        /// 1 − (in-place sgemm time / step time).
        public var nonMatmulShare: Double { 1 - step.stepsPerSecond / sgemmInPlace.stepsPerSecond }

        public var description: String {
            [step.description, "  " + sgemm.description, "  " + sgemmInPlace.description,
             "  non-matmul share of step time: \(format(100 * nonMatmulShare, 0)) % "
                + "(against the hot-scratch ceiling: \(format(100 * (1 - step.stepsPerSecond / sgemm.stepsPerSecond), 0)) %)"]
                .joined(separator: "\n")
        }
    }

    /// One distinct sgemm shape of a step: how often it occurs and its stand-alone rate.
    public struct LayerRate: Sendable, CustomStringConvertible {
        /// "NT 512x128·128x256": transposes of A and B, then op(A) m×k · op(B) k×n.
        public let shape: String
        public let callsPerStep: Int
        public let gflops: Double
        /// Fraction of the step's matmul FLOPs.
        public let flopShare: Double
        /// Fraction of the step's summed stand-alone sgemm time (calls × time per call): where a
        /// slow small shape costs more than its FLOPs suggest.
        public let timeShare: Double

        public var description: String {
            "\(shape) ×\(callsPerStep): \(format(gflops, 0)) GFLOP/s, \(format(100 * flopShare, 1)) % of FLOPs, "
                + "\(format(100 * timeShare, 1)) % of sgemm time"
        }
    }

    public static let defaultAutoencoderWidths = [17, 512, 128, 64, 8, 4]

    public var minimumSeconds: Double
    public var seed: UInt64
    /// In-process workers per training step (1: the serial step, on however many threads OpenBLAS
    /// has; T > 1: T single-threaded BLAS workers on row blocks, see `WorkerPool`; set
    /// `BLAS.threads = 1` for it). Sgemm-only replays are measured only for the serial step.
    public var workers: Int

    public init(minimumSeconds: Double = 2, seed: UInt64 = 1, workers: Int = 1) {
        self.minimumSeconds = minimumSeconds
        self.seed = seed
        self.workers = workers
    }

    /// A GAN step given as its plan (the production trainer's, built in Training:
    /// `NNBenchmark.ganComparison(features:batch:)`); `replays` adds its sgemm-only replays.
    public func comparison(_ step: GANStepPlan, name: String, replays: Bool) -> Comparison {
        compare(step, name: name, replays: replays)
    }

    public func layerRates(_ step: GANStepPlan) -> [LayerRate] { layerRates(step.gemms) }

    public func breakdown(_ step: GANStepPlan, name: String) -> Breakdown { breakdown(step as BenchmarkStep, name: name) }
}

/// x rounded to `digits` decimals, as text.
func format(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return "\(x)" }
    if digits == 0 { return String(Int(x.rounded())) }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    return String((x * scale).rounded() / scale)
}
