import Comm
import EventStore
import NN
import Support

/// One model of a restart: a network, its optimizer, and its name in the state file.
public struct TrainedModel {
    public var name: String
    public var model: MLP
    public var optimizer: Optimizer
}

/// Losses of one step, global over the group (the same on every rank).
public struct StepLosses {
    public var values: [(String, Double)]
    public var stopRequested: Bool
    public var isFinite: Bool { values.allSatisfy { $0.1.isFinite } }
}

/// A latent-space or full-space generator under training: GAN, WGAN-GP, VAE or flow matching.
/// `sampler` maps `sampler.noiseWidth` standard normal draws to one generated row (one network pass,
/// or a flow's ODE integration); its network and kind are what snapshots store.
public protocol GeneratorTrainer: AnyObject {
    var sampler: Sampler { get }
    /// Every network with its optimizer, for the resumable state file.
    var models: [TrainedModel] { get }
    /// One optimizer step of every model at global step `step` (a pure function of the state and step).
    func step(_ step: Int) throws -> StepLosses
    /// The names of the losses `step` returns, in its order.
    var lossNames: [String] { get }
    /// Named buffers beyond the networks and optimizers that the state file must carry (EMA weights).
    var extraState: [(String, UnsafeMutableBufferPointer<Float>)] { get }
    /// Runs `body` with the sampler holding the weights snapshots use (the EMA average when enabled).
    func withSamplingWeights<T>(_ body: () throws -> T) rethrows -> T
}

extension GeneratorTrainer {
    /// The optimizer named in the settings.
    public static func makeOptimizer(_ s: GANSettings, for model: MLP) -> Optimizer {
        switch s.optimizer {
        case "adam": return Adam(parameterCount: model.parameterCount, learningRate: Float(s.lr), beta1: 0.5)
        case "sgd": return SGD(parameterCount: model.parameterCount, learningRate: Float(s.lr), momentum: 0.9)
        default: return Adadelta(parameterCount: model.parameterCount, learningRate: Float(s.lr), rho: 0.95, epsilon: 1e-7)  // Keras defaults, as in the paper
        }
    }
}

public enum Trainers {
    /// Builds the trainer of `s.model` for one restart; initial weights are broadcast from the group's rank 0.
    public static func make(_ s: GANSettings, data: GANData, seed: UInt64, comm: Communicator) throws -> GeneratorTrainer {
        // Worker threads each call a single-threaded OpenBLAS (a multi-threaded one under them
        // would oversubscribe the cores and synchronise every small product).
        if s.threads > 1 { BLAS.threads = 1 }
        switch s.model {
        case .gan, .wganGP: return try GANTrainer(s, data: data, seed: seed, comm: comm)
        case .vae: return try VAETrainer(s, data: data, seed: seed, comm: comm)
        case .flow: return try FlowTrainer(s, data: data, seed: seed, comm: comm)
        }
    }
}
