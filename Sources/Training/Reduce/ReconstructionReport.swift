import Comm
import EventStore
import Foundation
import Metrics
import Support

/// Reconstruction quality on the held-out rows: per-feature two-sample KS between the real rows and
/// their reconstruction (both in physical units, in the frame of the features), computed on rank 0.
public struct ReconstructionReport {
    public var ks: KSReport
    public var meanKS: Double
    public var rows: Int

    public static func evaluate(_ reducer: Reducer, data: PreparedData, seed: UInt64, comm: Communicator) throws -> ReconstructionReport? {
        let rebuilt = try reducer.reconstruct(data.heldOut, seed: seed)
        let real = try comm.gatherv(data.heldOutPhysical.values)
        let fake = try comm.gatherv(rebuilt.values)
        // Rank 0 computes; agreeing on the outcome keeps the other ranks from waiting in the next
        // collective if it fails.
        return try comm.agree { () -> ReconstructionReport? in
            guard let real, let fake else { return nil }
            let k = data.features.count
            func columns(_ v: [Float]) -> [[Double]] {
                (0..<k).map { j in stride(from: j, to: v.count, by: k).map { Double(v[$0]) } }
            }
            let report = try KSReport(names: data.features, reference: columns(real), candidate: columns(fake), pValues: false)
            return ReconstructionReport(ks: report, meanKS: report.total / Double(k), rows: real.count / k)
        }
    }

    /// `{"ks": {column: value, …}, "mean_ks": value, "method": "ae"|"pca", "latent": n}`, values in "%.6g".
    public func json(method: Reducer.Method, latent: Int) -> String {
        func number(_ x: Double) -> JSONValue { .number(x, format: "%.6g") }
        return JSONValue.object([
            ("ks", .object(ks.rows.map { (key: $0.name, value: number($0.statistic)) })), ("mean_ks", number(meanKS)),
            ("method", .string(method.rawValue)), ("latent", .integer(latent)),
        ]).serialized + "\n"
    }
}
