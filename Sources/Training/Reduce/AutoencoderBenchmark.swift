import Comm
import EventStore
import NN
import Support

/// The production autoencoder step — `AutoencoderTrainer.step`, what `reduce` runs — on synthetic
/// rows, for `latentsim bench`, the allocation test and the worker tests: the global batch drawn
/// by `ShardedBatches` from the shared seed and gathered from an `EventTable`, per-row gradients
/// summed over workers (and ranks) and scaled once (`GradientRule`), Adam (lr 1e-3). The network
/// is `reduce`'s default: 17 → 512-128-64-8 → 4 (linear) → mirror → 17 (linear), LeakyReLU 0.2.
public final class ProductionAutoencoderStep: BenchmarkedStep {
    public let trainer: AutoencoderTrainer
    public let batch: Int
    private var next = 0

    /// `rows` synthetic rows (normal, mean 0.5, std 0.3) split evenly over `workers` in-process
    /// workers on a one-rank communicator.
    public init(widths: [Int] = NNBenchmark.defaultAutoencoderWidths, batch: Int, seed: UInt64, workers: Int = 1,
                rows: Int = 4096) throws {
        let features = widths[0]
        let spec = AutoencoderSpec(features: features, latent: widths[widths.count - 1], hidden: Array(widths.dropFirst().dropLast()),
                                   slope: 0.2)
        let model = try spec.makeModel(maxBatch: batch, seed: seed)
        var table = EventTable(columns: (0..<features).map { "x\($0)" }, rows: rows)
        var rng = Philox(seed: seed, stream: 98)
        table.values.withUnsafeMutableBufferPointer { rng.fillNormal($0, mean: 0.5, std: 0.3) }
        let plan = ShardedBatches(total: rows, shard: 0..<rows, batch: batch, seed: seed)
        let shards = workers > 1 ? (0..<workers).map { Communicator.share(of: rows, rank: $0, size: workers) } : []
        trainer = try AutoencoderTrainer(model: model, optimizer: Adam(for: model), data: table, plan: plan,
                                         comm: try Communicator.selfOnly(), workerShards: shards)
        self.batch = batch
    }

    public var plan: AutoencoderStepPlan { AutoencoderStepPlan(model: trainer.model, batch: batch, body: self) }

    /// One production step (global step 0, 1, 2, …); returns the loss.
    @discardableResult
    public func benchmarkStep() -> Float {
        do {
            let result = try trainer.step(next)
            next += 1
            return Float(result.loss)
        } catch {
            preconditionFailure("autoencoder step failed: \(error)")
        }
    }
}

/// The autoencoder records of `latentsim bench` time the production step.
extension NNBenchmark {
    public func autoencoder(widths: [Int] = defaultAutoencoderWidths, batch: Int = 512) throws -> Result {
        comparison(try ProductionAutoencoderStep(widths: widths, batch: batch, seed: seed, workers: workers).plan,
                   name: autoencoderName(widths, batch), replays: false).step
    }

    public func autoencoderComparison(widths: [Int] = defaultAutoencoderWidths, batch: Int = 512) throws -> Comparison {
        comparison(try ProductionAutoencoderStep(widths: widths, batch: batch, seed: seed, workers: workers).plan,
                   name: autoencoderName(widths, batch), replays: workers == 1)
    }

    public func autoencoderLayers(widths: [Int] = defaultAutoencoderWidths, batch: Int = 512) throws -> [LayerRate] {
        layerRates(try ProductionAutoencoderStep(widths: widths, batch: batch, seed: seed).plan)
    }

    public func autoencoderBreakdown(widths: [Int] = defaultAutoencoderWidths, batch: Int = 512) throws -> Breakdown {
        breakdown(try ProductionAutoencoderStep(widths: widths, batch: batch, seed: seed).plan, name: "autoencoder, batch \(batch)")
    }

    private func autoencoderName(_ widths: [Int], _ batch: Int) -> String {
        "autoencoder \(widths.map(String.init).joined(separator: "-")) + mirror, batch \(batch)"
    }
}
