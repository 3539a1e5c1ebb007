import Support
extension Preprocessor {
    /// Whether `inverseWithDerivative` accepts this (fitted) preprocessor: every step elementwise.
    /// The shell projection (`shell`) mixes a pair's components, so it makes a preprocessor non-elementwise.
    public var isElementwise: Bool { steps.allSatisfy(\.kind.isElementwise) && shell == nil }

    /// The inverse of `inverse(into:rows:firstRow:seed:)` together with its elementwise Jacobian,
    /// so a loss on physical quantities (the GAN's regression terms) can be pulled back to the
    /// preprocessed values a network produces: dL/dy = dL/dx · `derivative`.
    ///
    /// `buffer` holds `rows × width` preprocessed values (width = `outputColumns.count` =
    /// `inputColumns.count`, since elementwise steps neither drop nor add columns) and is mapped
    /// in place to physical values bitwise equal to `inverse`'s (the same kernels run; no seed is
    /// needed because only the rotation's inverse draws random numbers, and the smear inverse is a
    /// plain floor). `derivative` (`rows × width`) receives dx/dy per value: the product of every
    /// step's factor, 1 for untouched columns, and 0 for `smearInteger` columns, whose floor is
    /// piecewise constant — integer columns get no regression gradient.
    ///
    /// Throws a usage error when a step is not elementwise (`rotateAzimuth`: it re-inserts a
    /// column and rotates by a random azimuth, so no per-value derivative exists), and when the
    /// preprocessor is not fitted. No allocation per call.
    public func inverseWithDerivative(_ buffer: UnsafeMutableBufferPointer<Float>,
                                      derivative: UnsafeMutableBufferPointer<Float>, rows: Int) throws {
        guard let plan else { throw PreprocessingError.notFitted() }
        for step in plan where !step.isElementwise { throw PreprocessingError.notElementwise(step.label) }
        if shell != nil { throw PreprocessingError.notElementwise(ShellProjection.label) }
        let count = rows * inputColumns.count
        precondition(rows >= 0, "rows must be ≥ 0")
        precondition(buffer.count >= count && derivative.count >= count,
                     "buffer and derivative must hold rows × \(inputColumns.count) floats")
        guard count > 0 else { return }
        derivative.baseAddress?.update(repeating: 1, count: count)
        for step in plan.reversed() {
            step.chainInverseDerivative(buffer, derivative: derivative, rows: rows)
            step.inverse(buffer, rows: rows, firstRow: 0, seed: 0)
        }
    }
}
