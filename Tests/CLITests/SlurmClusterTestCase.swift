import Foundation
import XCTest

/// A test class that owns one throwaway Slurm cluster of `nodes` nodes (SlurmCluster): started
/// once before the class's tests, stopped after them. Tests call `up()` for the running cluster
/// (or skip where Slurm is not installed); the cluster of each subclass is its own.
class SlurmClusterTestCase: XCTestCase {
    /// Nodes of the class's cluster.
    class var nodes: Int { 1 }

    nonisolated(unsafe) private static var clusters: [ObjectIdentifier: SlurmCluster.Start] = [:]

    override class func setUp() {
        super.setUp()
        clusters[ObjectIdentifier(self)] = SlurmCluster.start(nodes: nodes)
    }

    override class func tearDown() {
        if case .up(let c)? = clusters.removeValue(forKey: ObjectIdentifier(self)) { c.stop() }
        super.tearDown()
    }

    func up() throws -> SlurmCluster {
        try (Self.clusters[ObjectIdentifier(type(of: self))] ?? .unavailable("not started")).require()
    }

    /// The log of `job` written to sbatch's `--output` `pattern` (%j the job id).
    func log(_ pattern: String, job: String) -> String { SlurmCluster.log(pattern, job: job) }

}
