import CMPI
import Foundation
import Support

public enum ReduceOp: Sendable {
    case sum, max, min
    var handle: MPI_Op? {
        switch self {
        case .sum: return ls_mpi_sum()
        case .max: return ls_mpi_max()
        case .min: return ls_mpi_min()
        }
    }
}

/// Scalar types that can travel through MPI reductions and broadcasts.
public protocol MPIScalar { static var mpiType: MPI_Datatype? { get } }
extension Float: MPIScalar { public static var mpiType: MPI_Datatype? { ls_mpi_float() } }
extension Double: MPIScalar { public static var mpiType: MPI_Datatype? { ls_mpi_double() } }
extension Int64: MPIScalar { public static var mpiType: MPI_Datatype? { ls_mpi_int64() } }
extension Int32: MPIScalar { public static var mpiType: MPI_Datatype? { ls_mpi_int32() } }
extension UInt8: MPIScalar { public static var mpiType: MPI_Datatype? { ls_mpi_byte() } }

/// A group of processes. `Communicator.world()` works under mpirun/srun and as a single process
/// (MPI singleton init). Every call is checked; errors come back as `MPIError`.
public final class Communicator: @unchecked Sendable {
    public let handle: MPI_Comm?
    public let rank: Int
    public let size: Int
    private let owned: Bool

    init(handle: MPI_Comm?, owned: Bool) throws {
        self.handle = handle
        self.owned = owned
        var r: Int32 = 0, s: Int32 = 0
        try mpiCheck(MPI_Comm_rank(handle, &r), "MPI_Comm_rank")
        try mpiCheck(MPI_Comm_size(handle, &s), "MPI_Comm_size")
        rank = Int(r)
        size = Int(s)
    }

    deinit {
        if owned {
            var h = handle
            var finalized: Int32 = 0
            MPI_Finalized(&finalized)
            if finalized == 0 { _ = MPI_Comm_free(&h) }
        }
    }

    /// MPI_COMM_WORLD, initialising MPI on first use (errors are returned, never fatal). A world
    /// of one process where the launcher asked for more is refused (LaunchGuard).
    public static func world() throws -> Communicator {
        try MPIRuntime.initialize()
        let world = try Communicator(handle: ls_mpi_comm_world(), owned: false)
        try LaunchGuard.checkAfterInit(worldSize: world.size, env: MPIRuntime.launchEnvironment)
        return world
    }

    /// MPI_COMM_SELF: a one-process communicator for rank-local work.
    public static func selfOnly() throws -> Communicator {
        try MPIRuntime.initialize()
        return try Communicator(handle: ls_mpi_comm_self(), owned: false)
    }

    public var isRoot: Bool { rank == 0 }

    public func barrier() throws {
        try mpiCheck(MPI_Barrier(handle), "MPI_Barrier")
    }

    /// In-place allreduce over a buffer (the fused-gradient path: no copies, no allocation).
    public func allreduce<T: MPIScalar>(_ buffer: UnsafeMutableBufferPointer<T>, op: ReduceOp) throws {
        guard size > 1, buffer.count > 0 else { return }
        try mpiCheck(MPI_Allreduce(ls_mpi_in_place(), buffer.baseAddress, Int32(buffer.count),
                                   T.mpiType, op.handle, handle), "MPI_Allreduce")
    }

    public func allreduce<T: MPIScalar>(_ values: inout [T], op: ReduceOp) throws {
        try values.withUnsafeMutableBufferPointer { try allreduce($0, op: op) }
    }

    public func allreduce<T: MPIScalar>(_ value: T, op: ReduceOp) throws -> T {
        var v = [value]
        try allreduce(&v, op: op)
        return v[0]
    }

    /// Lowest value across ranks and the index that came with it (ties: lowest index).
    public func minloc(_ value: Double, index: Int) throws -> (value: Double, index: Int) {
        var pair = ls_double_int(value: value, index: Int32(index))
        if size > 1 {
            try mpiCheck(MPI_Allreduce(ls_mpi_in_place(), &pair, 1, ls_mpi_double_int(), ls_mpi_minloc(), handle),
                         "MPI_Allreduce(MINLOC)")
        }
        return (pair.value, Int(pair.index))
    }

    public func broadcast<T: MPIScalar>(_ values: inout [T], root: Int = 0) throws {
        guard size > 1, !values.isEmpty else { return }
        try values.withUnsafeMutableBufferPointer { buf in
            try mpiCheck(MPI_Bcast(buf.baseAddress, Int32(buf.count), T.mpiType, Int32(root), handle), "MPI_Bcast")
        }
    }

    /// In-place broadcast of a buffer (e.g. a model's fused parameters from rank 0).
    public func broadcast<T: MPIScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int = 0) throws {
        guard size > 1, buffer.count > 0 else { return }
        try mpiCheck(MPI_Bcast(buffer.baseAddress, Int32(buffer.count), T.mpiType, Int32(root), handle), "MPI_Bcast")
    }

    public func broadcast<T: MPIScalar>(_ value: T, root: Int = 0) throws -> T {
        var v = [value]
        try broadcast(&v, root: root)
        return v[0]
    }

    /// Broadcast a string of any length from `root`.
    public func broadcast(_ text: String, root: Int = 0) throws -> String {
        guard size > 1 else { return text }
        var bytes = Array(text.utf8)
        let count = try broadcast(Int64(bytes.count), root: root)
        if rank != root { bytes = [UInt8](repeating: 0, count: Int(count)) }
        try broadcast(&bytes, root: root)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Gather equal-length contributions on every rank (allgather), ordered by rank.
    public func allgather<T: MPIScalar & Numeric>(_ values: [T]) throws -> [T] {
        guard size > 1 else { return values }
        var out = [T](repeating: 0, count: values.count * size)
        try values.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBufferPointer { dst in
                try mpiCheck(MPI_Allgather(src.baseAddress, Int32(src.count), T.mpiType,
                                           dst.baseAddress, Int32(src.count), T.mpiType, handle), "MPI_Allgather")
            }
        }
        return out
    }

    /// Gather equal-length contributions on `root` (nil elsewhere), ordered by rank.
    public func gather<T: MPIScalar & Numeric>(_ values: [T], root: Int = 0) throws -> [T]? {
        guard size > 1 else { return values }
        var out = [T](repeating: 0, count: rank == root ? values.count * size : 0)
        try values.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBufferPointer { dst in
                try mpiCheck(MPI_Gather(src.baseAddress, Int32(src.count), T.mpiType,
                                        dst.baseAddress, Int32(src.count), T.mpiType, Int32(root), handle), "MPI_Gather")
            }
        }
        return rank == root ? out : nil
    }

    /// Split into sub-communicators by colour, ordered by key within each.
    public func split(color: Int, key: Int) throws -> Communicator {
        var sub: MPI_Comm? = nil
        try mpiCheck(MPI_Comm_split(handle, Int32(color), Int32(key), &sub), "MPI_Comm_split")
        try mpiCheck(MPI_Comm_set_errhandler(sub, ls_mpi_errors_return()), "MPI_Comm_set_errhandler")
        return try Communicator(handle: sub, owned: true)
    }

    /// A new communicator with the same ranks and its own message space (MPI_Comm_dup), so
    /// point-to-point traffic on it can never match a message sent on this one.
    public func duplicate() throws -> Communicator {
        var dup: MPI_Comm? = nil
        try mpiCheck(MPI_Comm_dup(handle, &dup), "MPI_Comm_dup")
        try mpiCheck(MPI_Comm_set_errhandler(dup, ls_mpi_errors_return()), "MPI_Comm_set_errhandler")
        return try Communicator(handle: dup, owned: true)
    }

    /// Abort every process of this communicator (last resort when ranks cannot agree).
    public func abort(code: Int32) -> Never {
        MPI_Abort(handle, code)
        exit(code)
    }
}
