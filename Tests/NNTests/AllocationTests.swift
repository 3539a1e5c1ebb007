import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import NN
@testable import Support
import Training

/// Proves that steady-state training steps perform no heap allocation on the calling thread.
///
/// Swift has no malloc hook, so the test compiles a tiny LD_PRELOAD shim that counts
/// malloc/calloc/realloc/posix_memalign/aligned_alloc/memalign per thread, and re-runs itself
/// in a child test process with the shim preloaded; the child finds the counter with dlsym.
/// Skipped only when no C compiler is available.
final class AllocationTests: XCTestCase {
    private typealias Counter = @convention(c) () -> Int
    private var keepAlive: [Float] = []

    /// Counts per thread (and, for the worker steps, over all threads); calls made from inside libopenblas (its SkylakeX small-matrix sgemm
    /// kernels malloc a packing buffer for some shapes) are counted apart from everything else.
    private static let shimSource = """
    #define _GNU_SOURCE
    #include <link.h>
    #include <stddef.h>
    #include <string.h>
    extern void *__libc_malloc(size_t);
    extern void *__libc_calloc(size_t, size_t);
    extern void *__libc_realloc(void *, size_t);
    extern void *__libc_memalign(size_t, size_t);
    static __thread long calls, blasCalls;
    static long allThreads;
    static unsigned long blasStart, blasEnd;
    static int findBLAS(struct dl_phdr_info *info, size_t size, void *data) {
        if (!info->dlpi_name || !strstr(info->dlpi_name, "libopenblas")) return 0;
        for (int i = 0; i < info->dlpi_phnum; i++) {
            const ElfW(Phdr) *h = &info->dlpi_phdr[i];
            if (h->p_type != PT_LOAD) continue;
            unsigned long lo = info->dlpi_addr + h->p_vaddr, hi = lo + h->p_memsz;
            if (!blasStart || lo < blasStart) blasStart = lo;
            if (hi > blasEnd) blasEnd = hi;
        }
        return 1;
    }
    #define COUNT do { unsigned long r = (unsigned long)__builtin_return_address(0); \\
        if (r >= blasStart && r < blasEnd) blasCalls++; else { calls++; __atomic_fetch_add(&allThreads, 1, __ATOMIC_RELAXED); } } while (0)
    void *malloc(size_t n) { COUNT; return __libc_malloc(n); }
    void *calloc(size_t a, size_t b) { COUNT; return __libc_calloc(a, b); }
    void *realloc(void *p, size_t n) { COUNT; return __libc_realloc(p, n); }
    void *memalign(size_t a, size_t n) { COUNT; return __libc_memalign(a, n); }
    void *aligned_alloc(size_t a, size_t n) { COUNT; return __libc_memalign(a, n); }
    int posix_memalign(void **out, size_t a, size_t n) {
        COUNT; void *p = __libc_memalign(a, n); if (!p) return 12; *out = p; return 0;
    }
    long nn_malloc_calls(void) { if (!blasEnd) dl_iterate_phdr(findBLAS, NULL); return calls; }
    long nn_blas_malloc_calls(void) { return blasCalls; }
    long nn_malloc_calls_all_threads(void) { return __atomic_load_n(&allThreads, __ATOMIC_RELAXED); }
    """

    private static func counter(_ name: String) -> Counter? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: Counter.self)
    }

    func testSteadyStateTrainingStepsDoNotAllocate() throws {
        if let counter = Self.counter("nn_malloc_calls"), let blas = Self.counter("nn_blas_malloc_calls"),
           let all = Self.counter("nn_malloc_calls_all_threads") {
            try checkSteps(counter, blas: blas)
            return try checkWorkerSteps(all)
        }
        let compiler = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let compiler else { throw XCTSkip("no C compiler for the malloc-counting shim") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-alloc-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("count.c"), library = folder.appendingPathComponent("libcount.so")
        try Self.shimSource.write(to: source, atomically: true, encoding: .utf8)
        let (built, buildLog) = try run(compiler, ["-O2", "-shared", "-fPIC", "-ftls-model=initial-exec", "-o", library.path, source.path], environment: nil)
        XCTAssertEqual(built, 0, buildLog)
        guard built == 0 else { return }

        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = library.path
        let (status, log) = try run(CommandLine.arguments[0], ["NNTests.AllocationTests/testSteadyStateTrainingStepsDoNotAllocate"],
                                    environment: environment)
        XCTAssertEqual(status, 0, "child run under the malloc counter failed:\n\(log)")
        XCTAssertTrue(log.contains("Executed 1 test, with 0 failures"), log)
        XCTAssertTrue(log.contains("allocation counter armed"), "child did not see the counter:\n\(log)")
    }

    /// Runs in the child, with the counter preloaded.
    private func checkSteps(_ counter: Counter, blas: Counter) throws {
        var before = counter()
        keepAlive = [Float](repeating: 1, count: 1000)
        let sanity = counter() - before
        print("allocation counter armed (a 1000-element array cost \(sanity) call(s))")
        XCTAssertGreaterThan(sanity, 0, "counter does not see Swift allocations")

        // The production trainer's step (GANTrainer.step, what every restart runs), BCE and WGAN-GP.
        let gan = try ProductionGANStep(features: 17, batch: 64, seed: 1)
        let wgan = try ProductionGANStep(features: 7, batch: 64, seed: 1, model: .wganGP)
        let autoencoder = try ProductionAutoencoderStep(widths: [17, 32, 8, 4], batch: 64, seed: 1)
        let vae = try VariationalStep()
        let critic = try CriticPenaltyStep(), generator = try VAEGeneratorStep()
        let rowNoise = UnsafeMutableBufferPointer<Float>.allocate(capacity: 21 * 64)
        defer { rowNoise.deallocate() }
        Philox.fillNormalRows(rowNoise, width: 64, firstRow: 0, seed: 3, substream: 1)
        for _ in 0..<3 { gan.benchmarkStep(); wgan.benchmarkStep(); autoencoder.benchmarkStep(); vae.step(); critic.step(); generator.step() }
        let blasBefore = blas()
        before = counter()
        for _ in 0..<10 { gan.benchmarkStep(); wgan.benchmarkStep() }
        let ganCalls = counter() - before
        // RestartRun's loss sums around the production step: LossAverages.add every step, reset at a record.
        var averages = LossAverages(names: gan.trainer.lossNames)
        averages.add(try gan.trainer.step(1000))
        before = counter()
        for i in 0..<10 {
            averages.add(try gan.trainer.step(1001 + i))
            if i == 4 { averages.reset() }
        }
        let averageCalls = counter() - before
        XCTAssertEqual(averages.steps, 5)
        before = counter()
        for _ in 0..<10 { autoencoder.benchmarkStep() }
        let autoencoderCalls = counter() - before
        before = counter()
        for _ in 0..<10 { vae.step() }
        let vaeCalls = counter() - before
        before = counter()
        for _ in 0..<10 { critic.step() }
        let criticCalls = counter() - before
        before = counter()
        for _ in 0..<10 { generator.step() }
        let generatorCalls = counter() - before
        before = counter()
        for i in 0..<10 { Philox.fillNormalRows(rowNoise, width: 64, firstRow: 21 * i, seed: 3, substream: 1) }
        let rowNoiseCalls = counter() - before
        // Generation's inference forward on packed weights (the packing itself allocates, once).
        let sampler = try MLP(widths: [16, 64, 48, 17], activations: [.leakyReLU(0.2), .tanh, .linear], maxBatch: 64, seed: 4)
        let packed = DenseKernel.variant.map { PackedWeights(packing: sampler, variant: $0) }
        sampler.forward(batch: 64, packed: packed)
        before = counter()
        for _ in 0..<10 { sampler.forward(batch: 64, packed: packed) }
        let packedCalls = counter() - before
        // Flow matching: the training step, and the flow sampler's integration steps on packed weights.
        let flow = try FlowMatching(features: 7, hidden: [32, 32], maxBatch: 64, seed: 5)
        let x1 = randomValues(7 * 64, seed: 6)
        var flowNoise = Philox(seed: 7, stream: 1)
        flowNoise.fillNormal(flow.noise(batch: 64))
        flowNoise.fillUniform(flow.times(batch: 64))
        let flowSampler = try Sampler(network: flow.network, kind: .flow(steps: 4, integrator: .heun))
        let flowPacked = DenseKernel.variant.map { PackedWeights(packing: flow.network, variant: $0) }
        x1.withUnsafeBufferPointer { _ = flow.step($0, batch: 64) }
        flowSampler.run(batch: 64, packed: flowPacked)
        before = counter()
        x1.withUnsafeBufferPointer { x in
            for _ in 0..<10 {
                flow.step(x, batch: 64)
                flowSampler.run(batch: 64, packed: flowPacked)
            }
        }
        let flowCalls = counter() - before
        // The MMD term's kernel (MixtureMMD.evaluate), summed over the dimensions, joint, and in blocks (mmd_columns).
        let points = FloatStorage(count: MixtureMMD.stride(70) * 3), pull = FloatStorage(count: 70 * 3)
        points.buffer.update(repeating: 0.3)
        let additive = MixtureMMD(dimensions: 3, bandwidth: 2, kernels: 5), joint = MixtureMMD(dimensions: 3, bandwidth: 2, kernels: 5, joint: true)
        let blocks = MixtureMMD(dimensions: 3, bandwidth: 2, kernels: 5, blocks: [0..<1, 1..<3])
        // The first calls instantiate the SIMD types' metadata.
        var mmd = additive.evaluate(generated: points.start, count: 70, real: points.start, count: 70, rows: 0..<70, realRows: 0..<70,
                                    gradient: pull.buffer)
        mmd += joint.evaluate(generated: points.start, count: 70, real: points.start, count: 70, rows: 0..<70, realRows: 0..<70,
                              gradient: pull.buffer)
        mmd += blocks.evaluate(generated: points.start, count: 70, real: points.start, count: 70, rows: 0..<70, realRows: 0..<70,
                               gradient: pull.buffer)
        before = counter()
        mmd += additive.evaluate(generated: points.start, count: 70, real: points.start, count: 70, rows: 0..<70, realRows: 0..<70,
                                 gradient: pull.buffer)
        mmd += joint.evaluate(generated: points.start, count: 70, real: points.start, count: 70, rows: 0..<70, realRows: 0..<70,
                              gradient: pull.buffer)
        mmd += blocks.evaluate(generated: points.start, count: 70, real: points.start, count: 70, rows: 0..<70, realRows: 0..<70,
                               gradient: pull.buffer)
        let mmdCalls = counter() - before
        // The MMD term itself (MMDTerm.apply) and the GAN's path around it (RegressionPath.apply, with a regression term).
        let term = try MMDTermStep()
        var termValue = 0.0
        for _ in 0..<3 { termValue = try term.alone() + term.around() }
        before = counter()
        for _ in 0..<10 { termValue += try term.alone() }
        let termCalls = counter() - before
        before = counter()
        for _ in 0..<10 { termValue += try term.around() }
        let pathCalls = counter() - before
        // reduce's autoencoder step with derived_loss = [mll, ptll] through pair_mass (DerivedLoss.apply).
        let derived = try DerivedLossStep()
        var derivedLoss = 0.0
        for _ in 0..<3 { derivedLoss = try derived.step() }
        before = counter()
        for _ in 0..<10 { derivedLoss += try derived.step() }
        let derivedCalls = counter() - before
        print("OpenBLAS-internal malloc calls in the 60 measured steps: \(blas() - blasBefore)")
        XCTAssertEqual(ganCalls, 0, "production GAN and WGAN-GP trainer steps allocate")
        XCTAssertEqual(averageCalls, 0, "summing the step losses for the snapshot records allocates")
        XCTAssertEqual(autoencoderCalls, 0, "production autoencoder trainer step allocates")
        XCTAssertEqual(vaeCalls, 0, "VAE step (KL, reparameterisation, Adadelta, SGD) allocates")
        XCTAssertEqual(criticCalls, 0, "WGAN-GP critic step (interpolation, gradient penalty) allocates")
        XCTAssertEqual(generatorCalls, 0, "VAE generator step and sample allocate")
        XCTAssertEqual(rowNoiseCalls, 0, "per-event noise (Philox.fillNormalRows) allocates")
        XCTAssertEqual(packedCalls, 0, "inference forward on packed weights allocates")
        XCTAssertEqual(flowCalls, 0, "flow-matching step or flow sampler (Heun, packed) allocates")
        XCTAssertEqual(mmdCalls, 0, "the MMD kernel allocates")
        XCTAssertEqual(mmd, 0, accuracy: 1e-9, "identical samples")
        XCTAssertEqual(termCalls, 0, "the MMD term (MMDTerm.apply) allocates")
        XCTAssertEqual(pathCalls, 0, "the regression path around the MMD term (RegressionPath.apply) allocates")
        XCTAssertTrue(termValue.isFinite && termValue != 0, "the MMD term ran on different samples: \(termValue)")
        XCTAssertEqual(derivedCalls, 0, "the autoencoder step with derived_loss (DerivedLoss.apply) allocates")
        XCTAssertTrue(derivedLoss.isFinite && derivedLoss > 0, "the autoencoder step with derived_loss ran: \(derivedLoss)")
    }

    /// The T = 2 worker steps, counted over every thread of the process (the pool's thread does half
    /// of the work); the pool and its thread exist before the measured steps.
    private func checkWorkerSteps(_ all: Counter) throws {
        let saved = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = saved }
        let gan = try ProductionGANStep(features: 17, batch: 64, seed: 1, workers: 2)
        let autoencoder = try ProductionAutoencoderStep(widths: [17, 32, 8, 4], batch: 64, seed: 1, workers: 2)
        for _ in 0..<3 { gan.benchmarkStep(); autoencoder.benchmarkStep() }
        let before = all()
        for _ in 0..<10 { gan.benchmarkStep(); autoencoder.benchmarkStep() }
        XCTAssertEqual(all() - before, 0, "T = 2 worker steps allocate (all threads)")
    }

    private func run(_ executable: String, _ arguments: [String], environment: [String: String]?) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// A small VAE step covering the remaining step-time APIs: reparameterisation, KL with
/// accumulation, noise filling, Adadelta and SGD.
private final class VariationalStep {
    let encoder: MLP, decoder: MLP
    let encoderOptimizer: Adadelta, decoderOptimizer: SGD
    let noise: UnsafeMutableBufferPointer<Float>, z: UnsafeMutableBufferPointer<Float>
    let storage: [UnsafeMutableBufferPointer<Float>]
    var rng = Philox(seed: 8, stream: 0)
    let batch = 32, latent = 3

    init() throws {
        encoder = try MLP(widths: [5, 16, 6], activations: [.relu, .linear], maxBatch: 32, seed: 1)
        decoder = try MLP(widths: [3, 16, 5], activations: [.sigmoid, .tanh], maxBatch: 32, seed: 2)
        encoderOptimizer = Adadelta(for: encoder)
        decoderOptimizer = SGD(for: decoder, learningRate: 0.01, momentum: 0.9)
        noise = .allocate(capacity: batch * latent)
        z = .allocate(capacity: batch * latent)
        storage = [noise, z]
        rng.fillUniform(encoder.input)
    }

    deinit { storage.forEach { $0.deallocate() } }

    func step() {
        let stats = UnsafeBufferPointer(encoder.forward(batch: batch))
        rng.fillNormal(noise)
        Reparameterization.sample(meanAndLogVariance: stats, noise: UnsafeBufferPointer(noise), batch: batch, latent: latent, z: z)
        let y = decoder.forward(UnsafeBufferPointer(z), batch: batch)
        _ = Loss.meanSquaredError(prediction: UnsafeBufferPointer(y), target: UnsafeBufferPointer(encoder.input(batch: batch)),
                                  batch: batch, features: 5, gradient: decoder.outputGradient)
        decoder.backward(batch: batch, inputGradient: true)
        Reparameterization.backward(meanAndLogVariance: stats, noise: UnsafeBufferPointer(noise),
                                    zGradient: UnsafeBufferPointer(decoder.inputGradient(batch: batch)), batch: batch, latent: latent,
                                    gradient: encoder.outputGradient)
        _ = Loss.gaussianKL(meanAndLogVariance: stats, batch: batch, latent: latent, weight: 0.5,
                            gradient: encoder.outputGradient, accumulate: true)
        encoder.backward(batch: batch)
        encoderOptimizer.step(encoder)
        decoderOptimizer.step(decoder)
    }
}
