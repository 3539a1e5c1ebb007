import Support
/// Input columns written over one hidden layer's outputs after that layer's forward pass, so the
/// layers after it see those inputs exactly: a conditioning skip. Used by autoencoders that keep
/// features: the bottleneck's last columns are overwritten with the kept input features, so the
/// decoder receives them beside the learned codes, and the codes need not encode them.
/// The overwritten outputs pass no gradient back into their layer (they do not depend on it).
public struct InputCopy: Equatable, Sendable {
    /// Index of the layer whose outputs are overwritten (not the last layer).
    public let layer: Int
    /// Input column `inputs[i]` goes to output column `outputs[i]` of `layer`.
    public let inputs: [Int]
    public let outputs: [Int]

    public init(layer: Int, inputs: [Int], outputs: [Int]) {
        self.layer = layer
        self.inputs = inputs
        self.outputs = outputs
    }
}

extension MLP {
    /// Sets (or clears) the model's input copy after checking it fits the architecture.
    public func setInputCopy(_ copy: InputCopy?) throws {
        if let copy {
            guard copy.layer >= 0, copy.layer < layers.count - 1 else {
                throw NNError.invalidArchitecture("input copy layer \(copy.layer) must be a hidden layer, 0..<\(layers.count - 1)")
            }
            guard copy.inputs.count == copy.outputs.count,
                  copy.inputs.allSatisfy({ (0..<inputWidth).contains($0) }),
                  copy.outputs.allSatisfy({ (0..<widths[copy.layer + 1]).contains($0) }),
                  Set(copy.outputs).count == copy.outputs.count else {
                throw NNError.invalidArchitecture("input copy \(copy.inputs) → \(copy.outputs) does not fit inputs \(inputWidth) "
                                                  + "and layer \(copy.layer)'s \(widths[copy.layer + 1]) outputs")
            }
        }
        inputCopy = copy
        inputCopyGradient = copy.map { FloatStorage(count: maxBatch * max(1, $0.inputs.count)) }
    }

    /// Forward hook: overwrites layer `copy.layer`'s outputs `y` with the input columns.
    @inline(__always)
    func applyInputCopy(_ copy: InputCopy, y: UnsafeMutablePointer<Float>, batch: Int) {
        let k = inputWidth, w = widths[copy.layer + 1], x = inputStorage.start
        for r in 0..<batch {
            for (i, o) in zip(copy.inputs, copy.outputs) { y[r * w + o] = x[r * k + i] }
        }
    }

    /// Backward hook: no gradient flows into the overwritten outputs of `copy.layer`; with `keep`
    /// their gradient is held for `addCopiedGradient` (the copied inputs' own share).
    @inline(__always)
    func clearCopiedGradient(_ copy: InputCopy, dy: UnsafeMutablePointer<Float>, batch: Int, keep: Bool) {
        let w = widths[copy.layer + 1], c = copy.outputs.count
        let held = inputCopyGradient.unsafelyUnwrapped.start
        for r in 0..<batch {
            for (i, o) in copy.outputs.enumerated() {
                if keep { held[r * c + i] = dy[r * w + o] }
                dy[r * w + o] = 0
            }
        }
    }

    /// Adds the held gradient of the copied outputs to their input columns' gradient.
    @inline(__always)
    func addCopiedGradient(_ copy: InputCopy, into dx: UnsafeMutablePointer<Float>, batch: Int) {
        let k = inputWidth, c = copy.inputs.count
        let held = inputCopyGradient.unsafelyUnwrapped.start
        for r in 0..<batch {
            for (i, j) in copy.inputs.enumerated() { dx[r * k + j] += held[r * c + i] }
        }
    }
}
