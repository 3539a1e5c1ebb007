import Foundation
import Support
import Training

/// Where generation time goes, for `latentsim bench --generate --breakdown`: CPU seconds per
/// stage of a chunk (noise, networks, post-processing passes) and of its trip to disk (HDF5
/// write, checksum). Thread CPU time, not wall time, so other processes on a shared machine do
/// not inflate a stage; each stage is charged on the thread that runs it (the writer thread
/// keeps its own instance). No allocation after `init`.
public final class GenerationStages {
    public enum Stage: Int, CaseIterable {
        case noise, sampler, latentInverse, decoder, scalingInverse, placement, frame, write, hash

        public var label: String {
            switch self {
            case .noise: "noise (Philox normal fill)"
            case .sampler: "sampler network"
            case .latentInverse: "latent inverse scaling"
            case .decoder: "decoder network"
            case .scalingInverse: "feature inverse scaling"
            case .placement: "zero calibration + placement"
            case .frame: "frame inverse (azimuth)"
            case .write: "HDF5 write"
            case .hash: "SHA-256"
            }
        }

        /// The row mapping's stage (`RowMapping.lap`).
        public init(_ stage: RowMapping.Stage) {
            switch stage {
            case .latentInverse: self = .latentInverse
            case .decoder: self = .decoder
            case .scalingInverse: self = .scalingInverse
            case .placement: self = .placement
            case .frame: self = .frame
            }
        }
    }

    private(set) var seconds = [Double](repeating: 0, count: Stage.allCases.count)
    private var last = 0.0

    /// Starts the clock for the next lap.
    public func start() { last = GenerationStages.cpuSeconds() }

    /// Charges the time since the last lap (or `start`) to `stage`.
    public func lap(_ stage: Stage) {
        let now = GenerationStages.cpuSeconds()
        seconds[stage.rawValue] += now - last
        last = now
    }

    /// CPU seconds in the networks (sampler and decoder): what `bench --generate` reads against the peak.
    public var networkSeconds: Double { seconds[Stage.sampler.rawValue] + seconds[Stage.decoder.rawValue] }

    public func add(_ other: GenerationStages) {
        for i in seconds.indices { seconds[i] += other.seconds[i] }
    }

    /// CPU time of the calling thread.
    public static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + 1e-9 * Double(t.tv_nsec)
    }

    /// One line per stage that took time: µs per 1000 events and share of the total.
    public func table(events: Int) -> [String] {
        let total = seconds.reduce(0, +)
        return Stage.allCases.compactMap { stage in
            let s = seconds[stage.rawValue]
            guard s > 0 else { return nil }
            return "    " + stage.label.padding(toLength: 30, withPad: " ", startingAt: 0)
                + String(format: " %8.1f µs per 1000 events  %5.1f %%", 1e9 * s / Double(max(events, 1)), 100 * s / max(total, 1e-12))
        } + ["    " + "total".padding(toLength: 30, withPad: " ", startingAt: 0)
                + String(format: " %8.1f µs per 1000 events  (%.0f events/s of CPU time)", 1e9 * total / Double(max(events, 1)),
                         Double(events) / max(total, 1e-12))]
    }
}
