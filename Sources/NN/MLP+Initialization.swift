import Foundation
import Support

extension MLP {
    /// Re-draws all weights from Philox stream (seed, layer index) and zeroes biases:
    /// ReLU-family layers He-normal with std √(2 / ((1 + α²)·fanIn)), others Xavier-uniform on
    /// ±√(6 / (fanIn + fanOut)). Deterministic given the seed.
    public func initialize(seed: UInt64) {
        let params = parameterStorage.start
        for (index, layer) in layers.enumerated() {
            var rng = Philox(seed: seed, stream: UInt64(index), substream: 0x4E4E_0001)
            let weights = params + layer.weightOffset
            let count = layer.inputs * layer.outputs
            switch layer.activation {
            case .relu, .leakyReLU:
                var slope = 0.0
                if case .leakyReLU(let a) = layer.activation { slope = Double(a) }
                let std = (2.0 / ((1 + slope * slope) * Double(layer.inputs))).squareRoot()
                for i in 0..<count { weights[i] = Float(std * rng.normal()) }
            case .linear, .tanh, .sigmoid:
                let limit = (6.0 / Double(layer.inputs + layer.outputs)).squareRoot()
                for i in 0..<count { weights[i] = Float(limit * (2 * rng.uniform() - 1)) }
            }
            (params + layer.biasOffset).update(repeating: 0, count: layer.outputs)
        }
    }
}
