/// A first-order optimizer updating a model's fused parameter buffer in place from the fused
/// gradient buffer of the same layout. All state lives in one contiguous buffer (`state`) sized
/// once at construction; checkpoint = parameters + `state` + `stepCount`.
public protocol Optimizer: AnyObject {
    var parameterCount: Int { get }
    /// Completed updates (Adam's bias correction uses stepCount + 1 during a step).
    var stepCount: Int { get set }
    var learningRate: Float { get set }
    /// Contiguous optimizer state, e.g. Adam's [m | v].
    var state: UnsafeMutableBufferPointer<Float> { get }
    /// One update. Every gradient is multiplied by `gradientScale` first (fused), e.g.
    /// 1/ranks after an allreduce that summed the gradients.
    func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>, gradientScale: Float)
}

extension Optimizer {
    /// One update of `model` from its gradient buffer.
    public func step(_ model: MLP, gradientScale: Float = 1) {
        step(parameters: model.parameters, gradients: UnsafeBufferPointer(model.gradients), gradientScale: gradientScale)
    }

    public func copyState() -> [Float] { Array(state) }

    /// Restores state saved by `copyState` together with its step counter.
    public func restoreState(_ values: [Float], stepCount: Int) throws {
        guard values.count == state.count else { throw NNError.sizeMismatch(expected: state.count, got: values.count) }
        _ = state.update(from: values)
        self.stepCount = stepCount
    }

    /// Back to the freshly constructed state.
    public func reset() {
        state.update(repeating: 0)
        stepCount = 0
    }

    func checkSizes(_ parameters: UnsafeMutableBufferPointer<Float>, _ gradients: UnsafeBufferPointer<Float>) {
        precondition(parameters.count == parameterCount && gradients.count == parameterCount,
                     "optimizer built for \(parameterCount) parameters, got \(parameters.count)/\(gradients.count)")
    }
}
