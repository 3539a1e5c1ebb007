import Support
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
    /// The update of elements `range` only, without advancing `stepCount`: in-process workers
    /// split one step by parameter range (every element's update is independent of the others, so
    /// the split result is bitwise the whole-buffer one). Every gradient is multiplied by
    /// `gradientScale` first (fused), e.g. 1/ranks after an allreduce that summed the gradients.
    func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, gradientScale: Float,
                range: Range<Int>)
}

extension Optimizer {
    /// One update of every parameter; then `stepCount` advances.
    public func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>, gradientScale: Float = 1) {
        checkSizes(parameters, gradients)
        guard let p = parameters.baseAddress, let g = gradients.baseAddress else { return }
        update(parameters: p, gradients: g, gradientScale: gradientScale, range: 0..<parameterCount)
        finishStep()
    }

    /// Advances `stepCount` after the last `update` of a step. A plain get and set: `+=` through
    /// the protocol's `modify` accessor heap-allocates its coroutine frame in debug builds.
    public func finishStep() {
        stepCount = stepCount + 1
    }

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

    /// The message is built only in the failing branch: a `precondition` autoclosure capturing the
    /// generic `self` costs a heap box per call in debug builds (the allocation test sees it).
    func checkSizes(_ parameters: UnsafeMutableBufferPointer<Float>, _ gradients: UnsafeBufferPointer<Float>) {
        if parameters.count != parameterCount || gradients.count != parameterCount {
            preconditionFailure("optimizer built for \(parameterCount) parameters, got \(parameters.count)/\(gradients.count)")
        }
    }
}

extension Optimizer {
    /// Traps on a range outside the parameters (an engine bug, not bad input).
    @inline(__always)
    func checkRange(_ range: Range<Int>) {
        if range.lowerBound < 0 || range.upperBound > parameterCount { preconditionFailure("update range outside the parameters") }
    }
}
