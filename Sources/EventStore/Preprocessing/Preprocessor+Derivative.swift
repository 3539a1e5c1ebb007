import Support
extension Preprocessor {
    /// Whether `inverseWithDerivative` accepts this (fitted) preprocessor: elementwise steps, after
    /// (in the plan; so innermost in the inverse) pair steps (`pairMass`, `pairPt`) and `ordered`, whatever
    /// `shell`. The rotation is refused.
    public var isDifferentiable: Bool { (try? differentiablePlan()) != nil }

    /// Floats per row the pair steps keep for `pullBack` (`mixing` of `inverseWithDerivative`).
    public var mixingWidth: Int {
        // Index loops here and below: iterating an array (or reduce) allocates per element in debug
        // builds, and the GAN's regression and MMD terms and reduce's derived_loss run these every step.
        guard let plan else { return 0 }
        var width = 0
        for i in 0..<plan.count { width += plan[i].mixingWidth }
        return width
    }

    /// The inverse of `inverse(into:rows:firstRow:seed:)` together with its Jacobian, so a loss on
    /// physical quantities (the GAN's regression and MMD terms) can be pulled back to the
    /// preprocessed values a network produces (`pullBack`).
    ///
    /// `buffer` holds `rows × width` preprocessed values (width = `outputColumns.count` =
    /// `inputColumns.count`: these steps neither drop nor add columns) and is mapped in place to
    /// physical values bitwise equal to `inverse`'s up to the shell projection (the same kernels
    /// run; no seed is needed because only the rotation's inverse draws random numbers, and the
    /// smear inverse is a plain floor). `derivative` (`rows × width`) receives the elementwise
    /// steps' dx/dy per value: the product of their factors, 1 for untouched columns, and 0 for
    /// `smearInteger` columns, whose floor is piecewise constant — integer columns get no gradient.
    /// `mixing` (`rows × mixingWidth`) receives the pair steps' per-row partials.
    ///
    /// The shell projection (`shell`) is not applied: the values are those of `inverse` without it.
    /// The projection only runs after generation and scoring's inverse, never in training, and it
    /// rescales both muon momenta by one factor s per row, keeping the pair mass, every direction
    /// and the other columns; a loss on the rows before it is a loss on what the generator
    /// produces. Throws a usage error for a rotation step (no derivative is kept) or a
    /// pair step after an elementwise one, and when the preprocessor is not fitted. No allocation.
    public func inverseWithDerivative(_ buffer: UnsafeMutableBufferPointer<Float>,
                                      derivative: UnsafeMutableBufferPointer<Float>,
                                      mixing: UnsafeMutableBufferPointer<Float> = UnsafeMutableBufferPointer(start: nil, count: 0),
                                      rows: Int) throws {
        let plan = try differentiablePlan()
        let count = rows * inputColumns.count, stride = mixingWidth
        precondition(rows >= 0, "rows must be ≥ 0")
        precondition(buffer.count >= count && derivative.count >= count,
                     "buffer and derivative must hold rows × \(inputColumns.count) floats")
        precondition(mixing.count >= rows * stride, "mixing must hold rows × \(stride) floats")
        guard count > 0 else { return }
        derivative.baseAddress?.update(repeating: 1, count: count)
        var offset = stride
        for j in 0..<plan.count {
            let step = plan[plan.count - 1 - j]
            if step.isPairStep {
                offset -= step.mixingWidth
                step.keepMixingPartials(buffer, partials: mixing, stride: stride, offset: offset, rows: rows)
            } else {
                step.chainInverseDerivative(buffer, derivative: derivative, rows: rows)
            }
            step.inverse(buffer, rows: rows, firstRow: 0, seed: 0)
        }
    }

    /// dL/dy from dL/dx in place (`gradient`: rows × width), with the `derivative` and `mixing` of
    /// the last `inverseWithDerivative`: the pair steps' transposed Jacobians, outermost first
    /// (`pairMass` is the inverse's last step), then the elementwise factors. Where the gradient is
    /// 0 it stays 0 even if a factor overflowed (expm1 of a wild early output): 0 · ∞ would be NaN.
    public func pullBack(_ gradient: UnsafeMutableBufferPointer<Float>, derivative: UnsafeBufferPointer<Float>,
                         mixing: UnsafeBufferPointer<Float> = UnsafeBufferPointer(start: nil, count: 0), rows: Int) {
        guard let plan else { preconditionFailure("pullBack needs a fitted preprocessor") }
        let count = rows * inputColumns.count, stride = mixingWidth
        precondition(gradient.count >= count && derivative.count >= count && mixing.count >= rows * stride,
                     "gradient, derivative and mixing must hold the rows of the last inverseWithDerivative")
        var offset = 0
        for i in 0..<plan.count where plan[i].isPairStep {
            let step = plan[i]
            step.pullBackMixing(gradient, partials: mixing, stride: stride, offset: offset, rows: rows)
            offset += step.mixingWidth
        }
        for i in 0..<count where gradient[i] != 0 { gradient[i] *= derivative[i] }
    }

    /// The plan, checked: fitted, no step without a kept derivative, pair steps ahead of the rest.
    private func differentiablePlan() throws -> [ResolvedStep] {
        guard let plan else { throw PreprocessingError.notFitted() }
        var elementwise = false
        for i in 0..<plan.count {
            let step = plan[i]
            if step.isElementwise {
                elementwise = true
            } else if !step.isPairStep {
                throw PreprocessingError.notElementwise(step.label)
            } else if elementwise {
                throw PreprocessingError.pairAfterElementwise(step.label)
            }
        }
        return plan
    }
}
