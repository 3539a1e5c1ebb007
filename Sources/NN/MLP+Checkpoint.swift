import Support
extension MLP {
    /// A copy of the fused parameter buffer (checkpoint payload; same layout on every rank).
    public func copyParameters() -> [Float] { Array(parameterStorage.buffer) }

    /// Replaces all parameters with `values` (from `copyParameters` of an identical architecture).
    public func restoreParameters(_ values: UnsafeBufferPointer<Float>) throws {
        guard values.count == parameterCount else { throw NNError.sizeMismatch(expected: parameterCount, got: values.count) }
        if let source = values.baseAddress { parameterStorage.start.update(from: source, count: parameterCount) }
        parameterRevision += 1
    }

    public func restoreParameters(_ values: [Float]) throws {
        try values.withUnsafeBufferPointer { try restoreParameters($0) }
    }

    /// Copies the parameters of another model with the same architecture (e.g. a frozen decoder).
    public func copyParameters(from other: MLP) throws {
        guard other.widths == widths, other.activations == activations else {
            throw NNError.invalidArchitecture("copyParameters: \(other.widths) vs \(widths)")
        }
        try restoreParameters(UnsafeBufferPointer(other.parameters))
    }
}
