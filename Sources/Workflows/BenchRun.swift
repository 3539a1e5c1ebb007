import Comm
import Evaluation
import Foundation
import Generation
import NN
import Support
import Training

/// `latentsim bench`: throughput of the production training steps (autoencoder, GAN on 17 and 7
/// features, their sgemm ceiling) and of generation, each record read against the machine's
/// measured FMA peak (`peak` record; `peak_fraction` on every record) and SHA-256's MB/s.
public struct BenchRun {
    public var threads = "1,2"
    public var threadMode = "workers"
    public var seconds = 2.0
    public var models = "ae,gan17,gan7,sgemm"
    public var json = false
    public var generate = false
    public var breakdown = false
    public var chunk = GeneratorModel.defaultChunk

    public init(threads: String = "1,2", threadMode: String = "workers", seconds: Double = 2.0,
                models: String = "ae,gan17,gan7,sgemm", json: Bool = false, generate: Bool = false, breakdown: Bool = false,
                chunk: Int = GeneratorModel.defaultChunk) {
        self.threads = threads
        self.threadMode = threadMode
        self.seconds = seconds
        self.models = models
        self.json = json
        self.generate = generate
        self.breakdown = breakdown
        self.chunk = chunk
    }

    public func run(comm: Communicator, console: Console) throws {
        if generate {
            BLAS.threads = 1
            guard chunk > 0 else {
                throw InputError("--chunk expects a positive number of events, found \(chunk)", exitCode: ExitStatus.usage)
            }
            let peak = try machineRecords(comm: comm, console: console, isa: DenseKernel.variant)
            return try GenerateBenchmark(comm: comm, seconds: seconds, json: json, breakdown: breakdown, chunk: chunk, peak: peak).run()
        }
        let models = try selectedModels()
        guard ["workers", "blas"].contains(threadMode) else {
            throw InputError("--thread-mode expects workers or blas; found '\(threadMode)'. Fix: e.g. --thread-mode blas",
                             exitCode: ExitStatus.usage)
        }
        let peak = try machineRecords(comm: comm, console: console)
        let bench = NNBenchmark(minimumSeconds: seconds)
        if comm.size > 1 {
            try dataParallel(bench, comm: comm, console: console, peak: peak)
            return
        }
        if let warning = blasCoreWarning() { console.warn(warning) }
        for t in threads.split(separator: ",").compactMap({ Int($0) }) {
            let workers = threadMode == "workers" && t > 1
            let mode = t == 1 ? "serial" : threadMode
            BLAS.threads = workers ? 1 : t
            let stepBench = NNBenchmark(minimumSeconds: seconds, workers: workers ? t : 1)
            var records: [(String, NNBenchmark.Result, Double?, String)] = []
            if models.contains("ae") {
                let ae = try stepBench.autoencoderComparison()
                records.append(("ae", ae.step, workers ? nil : ae.nonMatmulShare, mode))
            }
            let gan17 = models.contains("gan17") ? try stepBench.ganComparison(features: 17) : nil
            let gan7 = models.contains("gan7") ? try stepBench.ganComparison(features: 7) : nil
            if let gan17 { records.append(("gan17", gan17.step, workers ? nil : gan17.nonMatmulShare, mode)) }
            if let gan7 { records.append(("gan7", gan7.step, workers ? nil : gan7.nonMatmulShare, mode)) }
            if models.contains("sgemm") {
                // The ceiling of the gan17 shapes always comes from the serial step's sgemm replay on
                // an OpenBLAS with t threads (workers have no single sgemm sequence to replay).
                BLAS.threads = t
                let ceiling = try gan17.flatMap { workers ? nil : $0 } ?? bench.ganComparison(features: 17)
                records.append(("sgemm", ceiling.sgemm, nil, t == 1 ? "serial" : "blas"))
                BLAS.threads = workers ? 1 : t
            }
            for (model, result, share, mode) in records {
                if json {
                    // Per CPU-second of the process: the step's own speed while it ran (a shared machine's
                    // other processes lower samples_per_s, not this), and its share of the used cores' peak.
                    let cpu: [(String, JSONValue)] = result.stepsPerCPUSecond.map { steps in
                        [("samples_per_cpu_s", .integer(Int(steps * Double(result.samplesPerSecond / result.stepsPerSecond)))),
                         ("cpu_peak_fraction", .number(BenchRun.peakFraction(gflops: result.gflopsPerCPUSecond ?? 0, cores: 1, peak: peak),
                                                       format: "%.3f"))]
                    } ?? []
                    console.line(JSONValue.object([
                        ("model", .string(model)), ("threads", .integer(t)), ("mode", .string(mode)),
                        ("samples_per_s", .integer(Int(result.samplesPerSecond))), ("gflop_s", .number(result.gflops, format: "%.2f")),
                        ("peer", .string("latentsim")), ("blas_core", .string(BLAS.coreName)),
                        ("peak_fraction", .number(BenchRun.peakFraction(gflops: result.gflops, cores: t, peak: peak), format: "%.3f")),
                    ] + cpu).serialized)
                } else {
                    let note = share.map { String(format: "non-matmul %.0f %% of step time", 100 * $0) }
                        ?? (model == "sgemm" ? "ceiling of the gan17 shapes" : "\(t) single-threaded BLAS workers")
                    console.line(String(format: "%-6@ threads %d  %-7@ %9.0f samples/s  %6.1f GFLOP/s  %@", model as NSString, t,
                                        mode as NSString, result.samplesPerSecond, result.gflops, note as NSString))
                }
            }
            if !json && models.contains("gan17") {
                console.line("  gan17 sgemm shapes (OpenBLAS \(BLAS.coreName), \(BLAS.threads) thread(s)):")
                for layer in try bench.ganLayers(features: 17) { console.line("    \(layer)") }
            }
            if breakdown && !json {
                for n in [17, 7] where models.contains("gan\(n)") {
                    var parts = try bench.ganBreakdown(features: n)
                    parts.peak = peak
                    console.line(parts.description)
                }
                if models.contains("ae") {
                    var parts = try bench.autoencoderBreakdown()
                    parts.peak = peak
                    console.line(parts.description)
                }
            }
        }
    }

    /// OpenBLAS 0.3.21 falls back to its SSE3 "Prescott" kernels on CPUs it does not know (newer
    /// AVX-512 Xeons), 4× slower; every figure would then measure the fallback, not the engine.
    /// latentsim restarts itself with a better core type, so this fires only when the user forced one.
    private func blasCoreWarning() -> String? {
        guard let suggestion = BLAS.betterCoreType else { return nil }
        let features = suggestion == "SkylakeX" ? "AVX-512" : "AVX2"
        return "OpenBLAS uses its \(BLAS.coreName) kernels on a CPU with \(features); "
            + "rerun with OPENBLAS_CORETYPE=\(suggestion) (scripts/env.sh sets it) for representative figures"
    }

    private func selectedModels() throws -> Set<String> {
        let known = ["ae", "gan17", "gan7", "sgemm"]
        let names = models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for name in names where !known.contains(name) {
            throw InputError("--models expects a comma-separated list of \(known.joined(separator: ", ")); found '\(name)'. "
                             + "Fix: e.g. --models gan17,gan7", exitCode: ExitStatus.usage)
        }
        return Set(names)
    }

    /// The DY-GAN step split over the ranks (batch 512 → 512/size per rank) plus the two fused
    /// gradient allreduces (discriminator, generator) it needs per step.
    private func dataParallel(_ bench: NNBenchmark, comm: Communicator, console: Console, peak: Double) throws {
        BLAS.threads = 1
        let local = try bench.gan(features: 17, batch: 512 / comm.size)
        let g = try MLP(widths: [64, 128, 256, 512, 256, 128, 17], activations: [Activation](repeating: .leakyReLU(0.2), count: 6),
                        maxBatch: 1, seed: 1)
        let d = try MLP(widths: [17, 128, 128, 256, 256, 128, 64, 32, 16, 8, 1],
                        activations: [Activation](repeating: .leakyReLU(0.2), count: 10), maxBatch: 1, seed: 1)
        for _ in 0..<5 { try comm.allreduce(d.gradients, op: .sum); try comm.allreduce(g.gradients, op: .sum) }
        try comm.barrier()
        let clock = Stopwatch()
        var rounds = 0
        while clock.seconds < seconds || rounds < 20 {
            try comm.allreduce(d.gradients, op: .sum)
            try comm.allreduce(g.gradients, op: .sum)
            rounds += 1
            rounds = Int(try comm.allreduce(Int64(rounds), op: .max))
        }
        let allreduce = clock.seconds / Double(rounds)
        let stepTime = try comm.allreduce(1 / local.stepsPerSecond, op: .max) + allreduce
        let share = allreduce / stepTime
        let samples = 512 / stepTime
        let gflops = local.flopsPerStep * Double(comm.size) / stepTime / 1e9
        if json {
            console.line(JSONValue.object([
                ("model", .string("gan17")), ("threads", .integer(1)), ("ranks", .integer(comm.size)),
                ("samples_per_s", .integer(Int(samples))), ("gflop_s", .number(gflops, format: "%.2f")),
                ("allreduce_share", .number(share, format: "%.4f")), ("peer", .string("latentsim")),
                ("peak_fraction", .number(BenchRun.peakFraction(gflops: gflops, cores: comm.size, peak: peak), format: "%.3f")),
            ]).serialized)
        } else {
            console.line(String(format: "gan17  ranks %d  %9.0f samples/s  %6.1f GFLOP/s  allreduce %.1f %% of step time "
                                + "(%.0f + %.0f floats per step, %.3f ms)", comm.size, samples, gflops, 100 * share,
                                Double(d.parameterCount), Double(g.parameterCount), 1000 * allreduce))
        }
    }
}
