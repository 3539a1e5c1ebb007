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
}
