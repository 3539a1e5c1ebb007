import Comm
import Foundation
import NN
import Support

extension BenchRun {
    /// The machine's limits, measured first so every record reads against them: one core's FMA
    /// peak (a register-only loop; rank 0's figure, each rank runs on its own core) and SHA-256's
    /// MB/s through libcrypto. Prints the `peak` and `sha256` records; returns GFLOP/s per core.
    /// The peak is that of `isa` (the instruction set the measured code runs: generation's kernel
    /// variant, so `LATENTSIM_DENSE_KERNEL=avx2` on an AVX-512 CPU reads against the AVX2 peak), or
    /// of the widest variant the CPU runs (the training steps: OpenBLAS picks its own kernels).
    func machineRecords(comm: Communicator, console: Console, isa: DenseKernel.Variant? = nil) throws -> Double {
        let measured = try comm.agree { () throws -> (gflops: Double, isa: String) in
            guard let isa else { return try FMAPeak.measure(seconds: min(1, seconds)) }
            return (try FMAPeak.measure(seconds: min(1, seconds), variant: isa), isa.rawValue)
        }
        let peak = try comm.broadcast(measured.gflops)
        let sha = try comm.agree { try SHA256.throughput(megabytes: 64) }
        if json {
            console.line(JSONValue.object([
                ("model", .string("peak")), ("threads", .integer(1)), ("gflop_s", .number(peak, format: "%.2f")),
                ("isa", .string(measured.isa)), ("peer", .string("latentsim")),
            ]).serialized)
            console.line(JSONValue.object([
                ("model", .string("sha256")), ("mb_per_s", .number(sha, format: "%.1f")), ("peer", .string("latentsim")),
            ]).serialized)
        } else {
            console.line(String(format: "peak   one core's FMA peak %.1f GFLOP/s (%@, register-only loop); SHA-256 %.0f MB/s (libcrypto)",
                                peak, measured.isa as NSString, sha))
        }
        return peak
    }

    /// A rate's share of the peak of the cores it ran on.
    static func peakFraction(gflops: Double, cores: Int, peak: Double) -> Double {
        gflops / (peak * Double(max(cores, 1)))
    }
}
