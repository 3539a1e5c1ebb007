import Comm
import EventStore
import Foundation
import NN
import Support
import Training

/// `latentsim bench --generate`: events/s of the synthetic gen17 and latent generators, compute
/// only (noise, networks, post-processing; rows split over the ranks) and end to end into HDF5
/// shards through `GenerateRun` (what `latentsim generate` runs), on every rank of the job.
/// Records: {"model", "ranks", "mode": "compute"|"hdf5", "events_per_s"}, then "networks": the
/// sampler and decoder alone, GFLOP/s per core from thread CPU time (benchmarks/README.md).
public struct GenerateBenchmark {
    public let comm: Communicator
    public let seconds: Double
    public let json: Bool

    /// Table mode: also where the time of the HDF5 run went, stage by stage (rank 0's CPU time).
    public var breakdown = false
    /// Events per network batch of the synthetic generators.
    public var chunk = GeneratorModel.defaultChunk
    /// One core's measured FMA peak, GFLOP/s: records carry their share of it (nil: none).
    public var peak: Double?

    public init(comm: Communicator, seconds: Double, json: Bool, breakdown: Bool = false,
                chunk: Int = GeneratorModel.defaultChunk, peak: Double? = nil) {
        self.peak = peak
        self.comm = comm
        self.seconds = seconds
        self.json = json
        self.breakdown = breakdown
        self.chunk = chunk
    }

    public func run() throws {
        let console = Console(comm: comm)
        if !json { console.line("networks: \(GenerateBenchmark.kernel)") }
        for kind in GeneratorModel.Synthetic.allCases {
            let model = try comm.agree { try GeneratorModel.synthetic(kind, chunk: chunk) }
            let (events, compute, networks) = try measureCompute(model)
            model.stages = breakdown && !json ? GenerationStages() : nil
            let hdf5 = try measureHDF5(model, kind: kind, events: events)
            let kernel = DenseKernel.variant.map { "packed-\($0.rawValue)" } ?? "openblas"
            for (mode, rate) in [("compute", compute), ("hdf5", hdf5), ("networks", networks)] {
                // Events/s of the job (compute, hdf5) over the peak of its ranks' cores; networks: events/s
                // per core of CPU time in the networks (mean over ranks), over one core's peak.
                let gflops = rate * model.flopsPerEvent / 1e9
                let cores = mode == "networks" ? 1.0 : Double(comm.size)
                if json {
                    var record: [(key: String, value: JSONValue)] = [
                        ("model", .string(kind.rawValue)), ("ranks", .integer(comm.size)), ("mode", .string(mode)),
                        ("events_per_s", .number(rate, format: "%.1f")), ("threads", .integer(1)), ("peer", .string("latentsim")),
                        ("kernel", .string(kernel)), ("gflop_s", .number(gflops, format: "%.2f")),
                    ]
                    if let peak { record.append(("peak_fraction", .number(gflops / (peak * cores), format: "%.3f"))) }
                    console.line(JSONValue.object(record).serialized)
                } else {
                    let share = peak.map { String(format: "  %.2f of peak", gflops / ($0 * cores)) } ?? ""
                    let per = mode == "networks" ? "per core of CPU time" : String(format: "%.0f per rank", rate / Double(comm.size))
                    let name = kind.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
                    let column = mode.padding(toLength: 8, withPad: " ", startingAt: 0)
                    console.line(String(format: "%@ ranks %d  %@ %10.0f events/s  %6.1f GFLOP/s%@  (%@)", name as NSString,
                                        comm.size, column as NSString, rate, gflops, share as NSString, per as NSString))
                }
            }
            if let stages = model.stages {
                console.line("  \(kind.rawValue) into HDF5, CPU time per stage on rank 0 (chunk \(model.chunk)):")
                for line in stages.table(events: comm.share(of: events).count) { console.line(line) }
            }
        }
    }

    /// Which kernel runs the networks (generate packs the weights once when the CPU has AVX-512).
    public static var kernel: String {
        guard let variant = DenseKernel.variant else {
            return "OpenBLAS \(BLAS.coreName) sgemm + bias/activation sweep (no AVX2, or LATENTSIM_DENSE_KERNEL=blas)"
        }
        return "packed \(variant == .avx512 ? "AVX-512" : "AVX2") dense kernel (weights packed once)"
    }

    /// Doubles the event count until one pass takes `seconds`; returns that count, its rate, and
    /// the networks' events per CPU second (thread CPU time of the sampler and decoder stages of the
    /// same pass, mean over ranks: other processes on a shared core do not lower it).
    private func measureCompute(_ model: GeneratorModel) throws -> (Int, Double, Double) {
        var events = model.chunk * comm.size
        try model.generate(rows: comm.share(of: events), seed: 1) { _, _ in }  // warm-up
        while true {
            let stages = GenerationStages()
            model.stages = stages
            try comm.barrier()
            let clock = Stopwatch()
            var sink: Float = 0
            try model.generate(rows: comm.share(of: events), seed: 1) { values, _ in sink += values[0] }
            let elapsed = try comm.allreduce(clock.seconds, op: .max)
            if elapsed >= seconds || events >= 1 << 26 || !sink.isFinite {
                let own = Double(comm.share(of: events).count) / max(stages.networkSeconds, 1e-9)
                return (events, Double(events) / elapsed, try comm.allreduce(own, op: .sum) / Double(comm.size))
            }
            events *= max(2, Int((seconds / max(elapsed, 1e-3)).rounded(.up)))
        }
    }

    /// The same count end to end into shards (two per rank, in a scratch directory removed after).
    private func measureHDF5(_ model: GeneratorModel, kind: GeneratorModel.Synthetic, events: Int) throws -> Double {
        let directory = try comm.broadcast(comm.isRoot ? NSTemporaryDirectory() + "latentsim-bench-\(getpid())-\(kind.rawValue)" : "")
        defer { if comm.isRoot { try? FileManager.default.removeItem(atPath: directory) } }
        let shard = max(model.chunk, (events + 2 * comm.size - 1) / (2 * comm.size))
        let source = GeneratorModel.Source(directory: "(synthetic \(kind.rawValue))", hash: "synthetic-\(kind.rawValue)",
                                           space: kind == .gen17 ? "full" : "latent", kind: "gan")
        var run = GenerateRun(model: model, source: source, events: events, shardEvents: shard, seed: 1, layout: .shards,
                              out: directory, overwrite: true, comm: comm)
        run.quiet = true
        try comm.barrier()
        let clock = Stopwatch()
        try run.execute()
        return Double(events) / (try comm.allreduce(clock.seconds, op: .max))
    }
}

extension GeneratorModel {
    /// Multiply-adds of one event through the networks, ×2: the sampler's layers (once per pass: a
    /// flow makes 2K) and an MLP decoder's (a PCA decoder is one n × k product); what a generation
    /// rate is worth in GFLOP/s.
    public var flopsPerEvent: Double {
        func dense(_ widths: [Int]) -> Double { zip(widths, widths.dropFirst()).reduce(0) { $0 + 2 * Double($1.0 * $1.1) } }
        let sampling = Double(sampler.kind.passes) * dense(sampler.network.widths)
        switch mapping.decoder {
        case .mlp(let mlp)?: return sampling + dense(mlp.widths)
        case .pca(let pca)?: return sampling + 2 * Double(pca.components * pca.features)
        case nil: return sampling
        }
    }
}
