import Support
extension Activation {
    /// Parses the `description` form ("linear", "relu", "leakyReLU(0.2)", "tanh", "sigmoid"), as
    /// stored in checkpoints' architecture records.
    public init?(name: String) {
        switch name {
        case "linear": self = .linear
        case "relu": self = .relu
        case "tanh": self = .tanh
        case "sigmoid": self = .sigmoid
        default:
            guard name.hasPrefix("leakyReLU("), name.hasSuffix(")"),
                  let slope = Float(name.dropFirst("leakyReLU(".count).dropLast()) else { return nil }
            self = .leakyReLU(slope)
        }
    }
}
