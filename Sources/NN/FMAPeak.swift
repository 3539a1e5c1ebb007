import CBLAS
import Dispatch
import Foundation
import Support

/// One core's measured single-precision FMA peak (CBLAS's `fma_peak.h`: independent fused
/// multiply-adds on registers only), the ceiling `latentsim bench` compares its GFLOP/s with.
/// An FMA counts 2 flops per lane. The loop runs in rounds of a few milliseconds for `seconds` and
/// the best round counts, so a round that shared the core with another process does not lower it.
public enum FMAPeak {
    /// The loop did not give the value its arithmetic fixes: the figure would mean nothing.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The widest variant this CPU runs (AVX-512, else AVX2 + FMA) and its GFLOP/s.
    public static func measure(seconds: Double) throws -> (gflops: Double, isa: String) {
        guard let variant = DenseKernel.Variant.allCases.first(where: \.isSupported) else {
            throw Failure(description: "this CPU has neither AVX-512 nor AVX2 with FMA: no FMA peak to measure")
        }
        return (try measure(seconds: seconds, variant: variant), variant.rawValue)
    }

    /// GFLOP/s of one core on `variant`, which this CPU must support.
    public static func measure(seconds: Double, variant: DenseKernel.Variant) throws -> Double {
        guard variant.isSupported else {
            throw Failure(description: "this CPU does not run the \(variant.rawValue) variant")
        }
        #if arch(x86_64)
        let (lanes, accumulators) = variant == .avx512 ? (16, Int(LS_FMA_ACCUMULATORS_AVX512)) : (8, Int(LS_FMA_ACCUMULATORS_AVX2))
        let iterations: UInt64 = 1 << 18  // 3-4 M FMA instructions: about a millisecond per round
        let flops = 2 * Double(lanes * accumulators) * Double(iterations)
        let run = { () -> Float in
            variant == .avx512 ? ls_fma_peak_avx512(iterations, 0.5, 0.5) : ls_fma_peak_avx2(iterations, 0.5, 0.5)
        }
        var best = 0.0
        let start = DispatchTime.now().uptimeNanoseconds
        var rounds = 0
        while rounds < 10 || Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 < seconds {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let total = run()
            let t1 = DispatchTime.now().uptimeNanoseconds
            // Every lane settles on exactly 1 (acc = acc·0.5 + 0.5 from 0).
            guard total == Float(lanes * accumulators) else {
                throw Failure(description: "the \(variant.rawValue) FMA loop returned \(total), not \(lanes * accumulators)")
            }
            best = max(best, flops / Double(max(t1 - t0, 1)))
            rounds += 1
        }
        return best
        #else
        throw Failure(description: "the FMA peak loop is x86-64 only")
        #endif
    }
}
