import XCTest
@testable import NN
@testable import Support
import Training

/// In-process data parallelism: concurrent single-threaded sgemm, the parameter-range split of the
/// optimizers, and the T = 2 worker steps against the serial ones.
final class WorkerTests: XCTestCase {
    /// sqrt(Σ(a − b)² / Σa²).
    private func relative(_ a: [Float], _ b: [Float]) -> Double {
        let diff = zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        return (diff / a.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot()
    }

    /// Runs each worker's sgemm list many times at once; every result must equal the serial one
    /// bit for bit (OpenBLAS at 1 thread, called from two threads: the worker mode's premise).
    func testConcurrentSingleThreadedSgemmEqualsSerial() throws {
        let saved = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = saved }
        final class Products: ParallelWork {
            /// (m, n, k) of GAN-like layers on a 256-row worker block.
            static let shapes = [(256, 128, 64), (64, 256, 256), (256, 17, 128), (128, 512, 256)]
            var shapes: [(Int, Int, Int)] { Products.shapes }
            let a: [FloatStorage], b: [FloatStorage], c: [[FloatStorage]]
            init() {
                a = Products.shapes.map { FloatStorage(count: $0.0 * $0.2) }
                b = Products.shapes.map { FloatStorage(count: $0.2 * $0.1) }
                c = (0..<2).map { _ in Products.shapes.map { FloatStorage(count: $0.0 * $0.1) } }
                var rng = Philox(seed: 5, stream: 0)
                for s in a + b { rng.fillUniform(s.buffer, low: -1, high: 1) }
            }
            func work(worker: Int, phase: Int) {
                for _ in 0..<20 {
                    for (i, (m, n, k)) in shapes.enumerated() {
                        Gemm.multiply(transposeA: false, transposeB: false, m: m, n: n, k: k, a: a[i].start, lda: k,
                                      b: b[i].start, ldb: n, beta: 0, c: c[worker][i].start, ldc: n)
                    }
                }
            }
        }
        let products = Products()
        products.work(worker: 0, phase: 0)
        let serial = products.c[0].map { Array($0.buffer) }
        let pool = try WorkerPool(count: 2)
        for _ in 0..<5 {
            for w in 0..<2 { for s in products.c[w] { s.buffer.update(repeating: .nan) } }
            pool.run(products, phase: 0)
            for w in 0..<2 {
                XCTAssertTrue(zip(products.c[w], serial).allSatisfy { Array($0.0.buffer).map(\.bitPattern) == $0.1.map(\.bitPattern) },
                              "worker \(w) differs from the serial products")
            }
        }
    }

    /// An update split into parameter ranges equals the whole-buffer step bitwise, for every optimizer.
    func testRangeSplitUpdatesEqualTheWholeStep() {
        let count = 103
        let optimizers: [() -> Optimizer] = [{ Adam(parameterCount: count, learningRate: 0.01) },
                                             { Adadelta(parameterCount: count) },
                                             { SGD(parameterCount: count, learningRate: 0.1, momentum: 0.9) }]
        for make in optimizers {
            let whole = make(), split = make()
            var p1 = randomValues(count, seed: 1), p2 = p1
            for s in 0..<3 {
                let g = randomValues(count, seed: 10 + UInt64(s))
                p1.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { whole.step(parameters: p, gradients: $0, gradientScale: 0.5) } }
                p2.withUnsafeMutableBufferPointer { p in
                    g.withUnsafeBufferPointer { gb in
                        for range in [0..<16, 16..<64, 64..<count] {
                            split.update(parameters: p.baseAddress!, gradients: gb.baseAddress!, gradientScale: 0.5, range: range)
                        }
                    }
                }
                split.finishStep()
            }
            XCTAssertEqual(p1.map(\.bitPattern), p2.map(\.bitPattern), "\(type(of: whole)): split parameters differ")
            XCTAssertEqual(whole.copyState().map(\.bitPattern), split.copyState().map(\.bitPattern), "\(type(of: whole)): state differs")
        }
    }

    /// Replicas read the primary's parameters and combine into its gradient buffer as g₀ + g₁.
    func testReplicasShareParametersAndSumGradients() throws {
        let model = try MLP(widths: [3, 4, 5], activations: [.tanh, .linear], maxBatch: 6, seed: 2)
        let replicas = try ModelReplicas(model, workers: 2, maxBatch: 3)
        let replica = replicas.models[1]
        XCTAssertEqual(replica.parameters.baseAddress, model.parameters.baseAddress)
        XCTAssertNotEqual(replica.gradients.baseAddress, model.gradients.baseAddress)
        let g0 = randomValues(model.parameterCount, seed: 3), g1 = randomValues(model.parameterCount, seed: 4)
        _ = model.gradients.update(from: g0)
        _ = replica.gradients.update(from: g1)
        replicas.combine(worker: 0)
        replicas.combine(worker: 1)
        XCTAssertEqual(Array(model.gradients), zip(g0, g1).map { $0 + $1 })
    }

    /// The production autoencoder step (`AutoencoderTrainer`) with T workers on one rank.
    private func autoencoderRun(workers: Int, steps: Int = 20) throws -> [Float] {
        let ae = try ProductionAutoencoderStep(widths: [7, 33, 9, 3], batch: 64, seed: 4, workers: workers)
        for _ in 0..<steps { ae.benchmarkStep() }
        return ae.trainer.model.copyParameters() + ae.trainer.optimizer.copyState()
    }

    /// The production GAN step (`GANTrainer`) with T workers on one rank.
    private func ganRun(workers: Int, steps: Int = 20) throws -> [Float] {
        let gan = try ProductionGANStep(features: 7, batch: 64, seed: 4, workers: workers)
        for _ in 0..<steps { gan.benchmarkStep() }
        return gan.trainer.generator.copyParameters() + gan.trainer.discriminator.copyParameters()
    }

    /// T = 2 workers vs the serial step after 20 steps: equal up to the order of the sums inside
    /// the sgemm calls and of the worker sums (≤ 1e-5 relative), while training moved the weights
    /// by far more. GAN: the production trainer's step (BCE; WGAN-GP and VAE workers are compared
    /// with ranks in CLITests.GANRanksTests, under SGD: Adam turns float-order residue on critic
    /// gradients that cancel to ~0 into ±lr steps, 5e-3 relative here after 20 steps).
    func testTwoWorkersMatchTheSerialSteps() throws {
        let saved = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = saved }
        let ae1 = try autoencoderRun(workers: 1), ae2 = try autoencoderRun(workers: 2)
        XCTAssertLessThanOrEqual(relative(ae1, ae2), 1e-5)
        XCTAssertGreaterThan(relative(ae1, try autoencoderRun(workers: 1, steps: 0)), 1e-3)
        let gan1 = try ganRun(workers: 1), gan2 = try ganRun(workers: 2)
        XCTAssertLessThanOrEqual(relative(gan1, gan2), 1e-5)
        XCTAssertGreaterThan(relative(gan1, try ganRun(workers: 1, steps: 0)), 1e-3)
        // The same seed twice with workers: bitwise identical.
        XCTAssertEqual(try autoencoderRun(workers: 2).map(\.bitPattern), ae2.map(\.bitPattern))
        XCTAssertEqual(try ganRun(workers: 2).map(\.bitPattern), gan2.map(\.bitPattern))
    }

    /// The production trainer splits the global batch by row ownership, so a batch that does not
    /// divide by the worker count still trains like the serial step; a pool of no workers is refused.
    func testUnevenBatchesTrainAndAnEmptyPoolIsRejected() throws {
        func run(_ workers: Int) throws -> [Float] {
            let ae = try ProductionAutoencoderStep(widths: [7, 9, 3], batch: 63, seed: 2, workers: workers)
            for _ in 0..<10 { ae.benchmarkStep() }
            return ae.trainer.model.copyParameters()
        }
        XCTAssertLessThanOrEqual(relative(try run(1), try run(2)), 1e-5)
        XCTAssertThrowsError(try WorkerPool(count: 0))
    }
}
