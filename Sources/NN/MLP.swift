import Support
/// A sequential stack of dense layers over row-major batches (batch × features).
///
/// Memory: every buffer is allocated once in `init` and sized for `maxBatch` rows —
/// the fused parameter buffer, the gradient buffer of identical layout (one allreduce call per
/// step covers the whole model), the input block, every layer's output, one dZ and one dX
/// block, and the input/output gradient blocks. `forward`/`backward` only pass pointers into
/// these, so a steady-state training step performs no heap allocation.
///
/// Generator trained through a frozen discriminator (data-parallel: per-row gradient sums,
/// summed over workers and ranks and scaled once by 1/B by `GradientRule`, as `GANTrainer` does):
///
///     noise.fillNormal(g.input(batch: b))
///     let fake = g.forward(batch: b)
///     let logits = d.forward(UnsafeBufferPointer(fake), batch: b)
///     _ = Loss.binaryCrossEntropySum(logits: UnsafeBufferPointer(logits), labels: ones,
///                                    count: b, gradient: d.outputGradient(batch: b))
///     d.backward(batch: b, parameterGradients: .skip, inputGradient: true)
///     g.backward(UnsafeBufferPointer(d.inputGradient(batch: b)), batch: b)
///     try rule.step(model: generatorIndex, globalRows: B)
public final class MLP {
    /// widths[0] is the input width, widths.last the output width.
    public let widths: [Int]
    public let layers: [DenseLayer]
    public let maxBatch: Int
    public let parameterCount: Int

    let parameterStorage: FloatStorage
    let gradientStorage: FloatStorage
    let inputStorage: FloatStorage
    let outputStorage: FloatStorage
    /// Start of each layer's output block inside `outputStorage`.
    let outputOffsets: [Int]
    let deltaStorage: (FloatStorage, FloatStorage)
    let outputGradientStorage: FloatStorage
    let inputGradientStorage: FloatStorage
    /// Rows of the most recent forward pass (backward must use the same batch).
    public internal(set) var forwardBatch = 0
    /// Counts `restoreParameters` calls: a copy of the weights made at one revision (a trainer's
    /// packed weights) is stale at another. Optimizer updates do not count (their caller knows).
    public internal(set) var parameterRevision = 0
    /// Input columns copied over a hidden layer's outputs (MLP+InputCopy.swift); nil: none.
    public internal(set) var inputCopy: InputCopy?
    /// The copied outputs' gradient, held for the input gradient (maxBatch × copied columns).
    var inputCopyGradient: FloatStorage?

    /// - Parameters:
    ///   - widths: layer widths including input and output, e.g. [17, 512, 128, 64, 8, 4].
    ///   - activations: one per layer (widths.count − 1), e.g. `.leakyReLU(0.2)` … `.linear`.
    ///   - maxBatch: largest batch any forward/backward call will use.
    ///   - seed: initialisation seed (He for ReLU-family layers, Xavier otherwise; biases 0).
    public convenience init(widths: [Int], activations: [Activation], maxBatch: Int, seed: UInt64) throws {
        guard widths.count >= 2 else { throw NNError.invalidArchitecture("need at least input and output widths") }
        guard widths.allSatisfy({ $0 > 0 }) else { throw NNError.invalidArchitecture("widths must be positive: \(widths)") }
        guard activations.count == widths.count - 1 else {
            throw NNError.invalidArchitecture("\(widths.count - 1) layers but \(activations.count) activations")
        }
        guard maxBatch > 0 else { throw NNError.invalidArchitecture("maxBatch must be positive") }
        for case .leakyReLU(let slope) in activations where !(slope >= 0) {
            throw NNError.invalidArchitecture("LeakyReLU slope must be ≥ 0, got \(slope)")
        }
        self.init(widths: widths, activations: activations, maxBatch: maxBatch, sharing: nil)
        initialize(seed: seed)
    }

    /// A worker replica of `primary` for in-process data parallelism: it reads the primary's
    /// parameter buffer (the same memory, so an optimizer step on the primary is seen at once) but
    /// owns its own activations, deltas and gradient buffer, so several threads can run forward and
    /// backward passes on disjoint row blocks at the same time without touching each other's state.
    public convenience init(replicaOf primary: MLP, maxBatch: Int) throws {
        guard maxBatch > 0 else { throw NNError.invalidArchitecture("maxBatch must be positive") }
        self.init(widths: primary.widths, activations: primary.activations, maxBatch: maxBatch,
                  sharing: primary.parameterStorage)
        try setInputCopy(primary.inputCopy)
    }

    /// Allocates every buffer once; `sharing` is the parameter buffer of the primary of a replica.
    private init(widths: [Int], activations: [Activation], maxBatch: Int, sharing: FloatStorage?) {
        var layers: [DenseLayer] = []
        var offset = 0
        var outputOffsets: [Int] = []
        var outputTotal = 0
        for l in 0..<activations.count {
            let layer = DenseLayer(inputs: widths[l], outputs: widths[l + 1], activation: activations[l], weightOffset: offset)
            layers.append(layer)
            offset += layer.parameterCount
            outputOffsets.append(outputTotal)
            outputTotal += maxBatch * layer.outputs
        }
        let widest = widths.dropFirst().max() ?? 1
        self.widths = widths
        self.layers = layers
        self.maxBatch = maxBatch
        self.parameterCount = offset
        self.outputOffsets = outputOffsets
        parameterStorage = sharing ?? FloatStorage(count: offset)
        gradientStorage = FloatStorage(count: offset)
        inputStorage = FloatStorage(count: maxBatch * widths[0])
        outputStorage = FloatStorage(count: outputTotal)
        deltaStorage = (FloatStorage(count: maxBatch * widest), FloatStorage(count: maxBatch * widest))
        outputGradientStorage = FloatStorage(count: maxBatch * widths[widths.count - 1])
        inputGradientStorage = FloatStorage(count: maxBatch * widths[0])
    }

    public var inputWidth: Int { widths[0] }
    public var outputWidth: Int { widths[widths.count - 1] }
    public var activations: [Activation] { layers.map(\.activation) }

    /// All weights and biases, layer after layer (see `DenseLayer` offsets). Allreduce target
    /// and checkpoint payload.
    public var parameters: UnsafeMutableBufferPointer<Float> { parameterStorage.buffer }
    /// dLoss/dParameters, same layout as `parameters`.
    public var gradients: UnsafeMutableBufferPointer<Float> { gradientStorage.buffer }

    /// Input block (maxBatch × inputWidth); fill rows directly, then call `forward(batch:)`.
    public var input: UnsafeMutableBufferPointer<Float> { inputStorage.buffer }
    /// Scratch block (maxBatch × outputWidth) for the loss gradient; `backward(batch:…)` reads it.
    public var outputGradient: UnsafeMutableBufferPointer<Float> { outputGradientStorage.buffer }
    /// dLoss/dInput (maxBatch × inputWidth), written by `backward(…, inputGradient: true)`.
    public var inputGradient: UnsafeMutableBufferPointer<Float> { inputGradientStorage.buffer }

    /// The first `batch` rows of the input, output, or input-gradient block.
    public func input(batch: Int) -> UnsafeMutableBufferPointer<Float> { inputStorage.view(0, batch * inputWidth) }
    public func output(batch: Int) -> UnsafeMutableBufferPointer<Float> { layerOutput(layers.count - 1, batch: batch) }
    public func inputGradient(batch: Int) -> UnsafeMutableBufferPointer<Float> { inputGradientStorage.view(0, batch * inputWidth) }
    public func outputGradient(batch: Int) -> UnsafeMutableBufferPointer<Float> { outputGradientStorage.view(0, batch * outputWidth) }

    /// Output of layer `index` (post-activation) from the last forward pass, `batch` rows.
    public func layerOutput(_ index: Int, batch: Int) -> UnsafeMutableBufferPointer<Float> {
        outputStorage.view(outputOffsets[index], batch * layers[index].outputs)
    }

    /// Sets every gradient to zero (only needed before a first `.accumulate` backward).
    public func zeroGradients() {
        gradientStorage.buffer.update(repeating: 0)
    }
}
