import CMPI
import Support

extension Communicator {
    /// Concatenation of every rank's `values` (any lengths), in rank order, on `root` (nil elsewhere).
    public func gatherv<T: MPIScalar & Numeric>(_ values: [T], root: Int = 0) throws -> [T]? {
        guard size > 1 else { return values }
        let counts = try allgather([Int32(values.count)])
        var displacements = [Int32](repeating: 0, count: size)
        for r in 1..<size { displacements[r] = displacements[r - 1] + counts[r - 1] }
        let total = Int(counts.reduce(0, +))
        var out = [T](repeating: 0, count: rank == root ? max(total, 1) : 1)
        try values.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBufferPointer { dst in
                try mpiCheck(MPI_Gatherv(src.baseAddress, Int32(src.count), T.mpiType, dst.baseAddress, counts,
                                         displacements, T.mpiType, Int32(root), handle), "MPI_Gatherv")
            }
        }
        return rank == root ? Array(out.prefix(total)) : nil
    }

    /// Every rank's `values` (`counts[r]` of them from rank r) placed at `displacements[r]` of `out`,
    /// on every rank; no allocation (the counts are the caller's, fixed once).
    public func allgatherv<T: MPIScalar>(_ values: UnsafeBufferPointer<T>, into out: UnsafeMutableBufferPointer<T>,
                                         counts: [Int32], displacements: [Int32]) throws {
        precondition(counts.count == size && displacements.count == size && Int(counts[rank]) == values.count,
                     "one count and displacement per rank, this rank's count = its values")
        // By index: zip's iterators allocate per element in debug builds, and the MMD term calls this every step.
        for r in 0..<size { precondition(Int(displacements[r]) + Int(counts[r]) <= out.count, "out must hold every block") }
        guard size > 1 else {
            if !values.isEmpty { (out.baseAddress.unsafelyUnwrapped + Int(displacements[0])).update(from: values.baseAddress.unsafelyUnwrapped, count: values.count) }
            return
        }
        try mpiCheck(MPI_Allgatherv(values.baseAddress, Int32(values.count), T.mpiType, out.baseAddress, counts, displacements,
                                    T.mpiType, handle), "MPI_Allgatherv")
    }
}
