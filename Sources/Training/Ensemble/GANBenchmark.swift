import Comm
import EventStore
import NN
import Support

/// The production GAN step — `GANTrainer.step`, what every ensemble restart runs — on synthetic
/// rows, for `latentsim bench`, the allocation test and the worker tests. The rows go through
/// the production data path (global batches of `ShardedBatches`, gathered from an `EventTable`);
/// the networks are the DY-GAN paper's (generator 64-128-256-512-256-128-N, discriminator
/// N-128-128-256-256-128-64-32-16-8-1, LeakyReLU 0.2), BCE, Adam (lr 2e-4, β1 0.5) and the
/// default generator EMA 0.999. No regression terms (every shipped job file turns them off) and
/// no snapshot scoring (that happens every `snapshot_every` steps, not per step).
public final class ProductionGANStep: BenchmarkedStep {
    public static let noise = 64
    public static let generatorWidths = [128, 256, 512, 256, 128]
    public static let discriminatorWidths = [128, 128, 256, 256, 128, 64, 32, 16, 8]

    public let trainer: GANTrainer
    public let batch: Int
    private var next = 0

    /// `rows` synthetic training rows (normal, mean 0.5, std 0.3) split evenly over `workers`
    /// in-process workers on a one-rank communicator (MPI_COMM_SELF unless given).
    public init(features: Int, batch: Int, seed: UInt64, workers: Int = 1, model: GANSettings.Model = .gan, rows: Int = 4096,
                comm: Communicator? = nil) throws {
        let comm = try comm ?? Communicator.selfOnly()
        var table = EventTable(columns: (0..<features).map { "x\($0)" }, rows: rows)
        var rng = Philox(seed: seed, stream: 99)
        table.values.withUnsafeMutableBufferPointer { rng.fillNormal($0, mean: 0.5, std: 0.3) }
        let shards = (0..<workers).map { Communicator.share(of: rows, rank: $0, size: workers) }
        trainer = try GANTrainer(Self.settings(batch: batch, workers: workers, model: model, seed: seed), train: table,
                                 trainTotal: rows, workerShards: shards, regression: nil, seed: seed, comm: comm)
        self.batch = batch
    }

    /// The step's layer passes, for the benchmark's sgemm and sweep replays.
    public var plan: GANStepPlan {
        let packed = trainer.packedGenerator.flatMap { g in trainer.packedDiscriminator.map { (generator: g, discriminator: $0) } }
        let transposed = trainer.transposedGenerator.flatMap { g in trainer.transposedDiscriminator.map { (generator: g, discriminator: $0) } }
        return GANStepPlan(generator: trainer.generator, discriminator: trainer.discriminator, realRows: trainer.half, batch: batch,
                           body: self, packed: packed, transposed: transposed)
    }

    /// One production step (global step 0, 1, 2, …); returns the generator loss.
    @discardableResult
    public func benchmarkStep() -> Float {
        do {
            let losses = try trainer.step(next)
            next += 1
            return Float(losses.values[1].1)
        } catch {
            preconditionFailure("GAN step failed: \(error)")
        }
    }

    static func settings(batch: Int, workers: Int, model: GANSettings.Model, seed: UInt64) -> GANSettings {
        GANSettings(data: "", dataset: "", reducer: nil, space: .full, columns: nil, rotate: nil, representation: Representation(),
                    holdout: 0, model: model, steps: 1, snapshotEvery: 1, validationEvents: 2, score: [], restarts: 1,
                    ranksPerRestart: 1, seed: seed, batch: batch, noise: noise, generatorWidths: generatorWidths,
                    discriminatorWidths: discriminatorWidths, slope: 0.2, optimizer: "adam", schedule: "constant", lr: 2e-4,
                    regression: [], c1: 0, c2: 0, gpLambda: 10, criticSteps: 1, vaeLatent: 8, vaeWidths: [], vaeBeta: 0.05,
                    ema: 0.999, topK: 1, metric: .ksSum, prune: "none", dropNonFinite: false, out: "", toml: "", threads: workers)
    }
}

/// The GAN records of `latentsim bench` time the production step (`ProductionGANStep`).
extension NNBenchmark {
    /// One DY-GAN step for `features` = N: D on batch/2 real + batch/2 generated, then G through D
    /// on `batch` samples; Adam on both; `workers` in-process workers.
    public func gan(features: Int, batch: Int = 512) throws -> Result {
        comparison(try ProductionGANStep(features: features, batch: batch, seed: seed, workers: workers).plan,
                   name: ganName(features, batch), replays: false).step
    }

    public func ganComparison(features: Int, batch: Int = 512) throws -> Comparison {
        comparison(try ProductionGANStep(features: features, batch: batch, seed: seed, workers: workers).plan,
                   name: ganName(features, batch), replays: workers == 1)
    }

    public func ganLayers(features: Int, batch: Int = 512) throws -> [LayerRate] {
        layerRates(try ProductionGANStep(features: features, batch: batch, seed: seed).plan)
    }

    public func ganBreakdown(features: Int, batch: Int = 512) throws -> Breakdown {
        breakdown(try ProductionGANStep(features: features, batch: batch, seed: seed).plan, name: ganName(features, batch))
    }

    /// Every record as text lines (per-layer rates for the first GAN size only).
    public func report(ganFeatures: [Int] = [17, 7]) throws -> [String] {
        var lines = ["OpenBLAS \(BLAS.coreName), \(BLAS.threads) thread(s), \(workers) worker(s)"]
        lines.append(try autoencoderComparison().description)
        for n in ganFeatures { lines.append(try ganComparison(features: n).description) }
        if let n = ganFeatures.first {
            lines.append("GAN N=\(n) sgemm shapes:")
            lines += try ganLayers(features: n).map { "  \($0)" }
        }
        return lines
    }

    private func ganName(_ features: Int, _ batch: Int) -> String { "GAN step N=\(features), batch \(batch) (production trainer)" }
}
