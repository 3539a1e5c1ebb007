import Support
/// Errors raised when building models or restoring checkpoints.
public enum NNError: Error, Equatable, CustomStringConvertible {
    /// A model needs at least two widths, all positive, and one activation per layer.
    case invalidArchitecture(String)
    /// A restored buffer does not have the size of the buffer it replaces.
    case sizeMismatch(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .invalidArchitecture(let why): return "invalid architecture: \(why)"
        case .sizeMismatch(let expected, let got): return "size mismatch: expected \(expected) values, got \(got)"
        }
    }
}
