import CMPI
import Support

/// The one place every MPI return code goes through: success passes, anything else throws an
/// `MPIError` carrying the call name and the library's own message from `MPI_Error_string`.
@inline(__always)
public func mpiCheck(_ code: Int32, _ call: @autoclosure () -> String) throws {
    if code == MPI_SUCCESS { return }
    throw MPIError(call: call(), code: code, message: mpiErrorString(code))
}

func mpiErrorString(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: Int(ls_mpi_max_error_string()) + 1)
    var length: Int32 = 0
    guard MPI_Error_string(code, &buffer, &length) == MPI_SUCCESS else { return "unknown MPI error" }
    return String(cString: buffer)
}

/// A failed MPI call: the call's name and MPI's own message for the code it returned.
public struct MPIError: ReportableError {
    public let call: String
    public let code: Int32
    public let message: String
    public var exitCode: Int32 { ExitStatus.software }
    public var description: String { "MPI call \(call) failed with code \(code): \(message)" }
}
