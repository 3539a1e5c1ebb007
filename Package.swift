// swift-tools-version:6.0
import Foundation
import PackageDescription

// NN's elementwise sweeps and optimizer updates are loops LLVM vectorizes only to the x86-64
// baseline (SSE2, 4 floats) unless told the CPU has AVX2. With `haswell` (AVX2: every x86 CPU since
// 2013, Zen 1 included) they take about half the time, ≈ 4 % of a GAN step at 1 thread. Results stay
// bit-identical to the baseline build: Swift emits no fused multiply-adds unless asked, and LLVM
// reorders no floating-point sums. LATENTSIM_PORTABLE=1 at build time keeps the baseline for
// pre-AVX2 machines. (`x86-64-v3` would say the same, but the clang importer rejects the name.)
#if arch(x86_64)
let nnSettings: [SwiftSetting] = ProcessInfo.processInfo.environment["LATENTSIM_PORTABLE"] == "1"
    ? [] : [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let nnSettings: [SwiftSetting] = []
#endif

// The package graph is the architecture (README, Layout): one tiny C interop target per native
// library; Support (errors, exit codes, Philox, JSON, job files, SHA-256); NN (BLAS), Comm (MPI),
// EventStore (HDF5 tables, CSV, preprocessing), Physics, Metrics; the stage libraries Training,
// Generation, Evaluation and Workflows (pipeline, studies, bench); and the thin `latentsim` executable.
let package = Package(
    name: "latentsim",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "latentsim", targets: ["latentsim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C interop, one tiny target per native library: only what Swift cannot import (macros such as
        // MPI_COMM_WORLD, H5P_DEFAULT) and the few kernels Swift cannot express (CBLAS/dense_kernel.h,
        // per-function target attributes). They import nothing of ours.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-openmpi", providers: [.apt(["libhdf5-openmpi-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Support owns what every layer shares: ReportableError/InputError and the exit codes, Philox and
        // FastMath, the one JSON value type (JSONValue), job files (TOML, JobConfig, ConfigOverrides),
        // SHA-256 through libcrypto, StopSignal. It imports only CCrypto and Foundation.
        .target(name: "Support", dependencies: ["CCrypto"], swiftSettings: nnSettings),
        // NN owns the engine: layers, losses, optimizers on BLAS, one contiguous parameter/gradient buffer
        // per model, the packed inference kernel, worker pools. It imports CBLAS and Support only.
        // NN is optimised in debug builds too: the packed kernel (CBLAS/dense_kernel.h, static inline C)
        // is compiled into NN at NN's optimisation level, and unoptimised it made a production-size
        // GAN step 6× slower than OpenBLAS (756 against 4,334 samples/s), tripling the tests that
        // train the shipped networks. Results are the same bits either way (no fast-math, no FMA
        // contraction in Swift); the whole suite runs on this build.
        .target(name: "NN", dependencies: ["CBLAS", "Support"],
                swiftSettings: nnSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Comm owns the MPI Communicator (works without mpirun), error agreement, SharedCounter (RMA window,
        // or point-to-point messages where no window can be made), the launch guard, the rank-0 Console and
        // CommCheck. It imports CMPI and Support only.
        .target(name: "Comm", dependencies: ["CMPI", "Support"]),
        // EventStore owns event tables (HDF5 layouts, CSV, virtual datasets), preprocessing with exact
        // inverses and derivatives, checkpoints. It imports CHDF5, CMPI (MPI-IO handles), Comm and Support.
        .target(name: "EventStore", dependencies: ["CHDF5", "CMPI", "Comm", "Support"]),
        // Physics owns the built-in generator (dy, zh-inv), the detector model, derived quantities and
        // their gradients, mu2's azimuthal frame (the reweighter's and evaluate's classifiers), and the
        // simulate stage. It imports EventStore, Comm and Support.
        .target(name: "Physics", dependencies: ["EventStore", "Comm", "Support"]),
        // Metrics owns KS (with exact distributions), Wasserstein-1 and correlations; it imports nothing.
        .target(name: "Metrics", dependencies: []),
        // Training owns the reducers (autoencoder, PCA), the GAN/WGAN-GP/VAE trainers, ensembles, snapshot
        // scoring, the leaderboard and selection: the reduce, ensemble and select stages. It imports
        // NN, Comm, EventStore, Physics, Metrics and Support, never a C target.
        .target(name: "Training", dependencies: ["NN", "Comm", "EventStore", "Physics", "Metrics", "Support"],
                swiftSettings: nnSettings),
        // Generation owns the generator model (loaded from RUN/best), the shard writer, the manifest, and
        // the generate and verify stages. It imports Training (models and their decoding) and below.
        .target(name: "Generation", dependencies: ["Training", "NN", "Comm", "EventStore", "Physics", "Support"]),
        // Evaluation owns comparisons of real and generated tables (KS, W1, correlations, classifier
        // two-sample AUC, and the train/test fit the studies use) and the evaluate, inspect and report stages
        // (the report runs the Python module python/latentsim_report). It imports Physics, Metrics, NN and below.
        .target(name: "Evaluation", dependencies: ["NN", "Comm", "EventStore", "Physics", "Metrics", "Support"]),
        // Workflows owns what spans the stage libraries: the pipeline, the classifier studies (they train
        // generators and encode with reducers, then run Evaluation's classifier), and the benchmarks of the
        // production steps. It imports Training, Generation, Evaluation and below.
        .target(name: "Workflows", dependencies: ["Training", "Generation", "Evaluation", "NN", "Comm", "EventStore",
                                                  "Physics", "Support"]),
        // The executable only parses commands: one file per command, options → typed settings → one
        // library call. No C import, no stage logic.
        .executableTarget(name: "latentsim", dependencies: [
            "Workflows", "Training", "Generation", "Evaluation", "Physics", "EventStore", "Comm", "Support",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Helpers shared by several test targets (not shipped): Python's json as an independent reader, the
        // azimuth-invariance fixture event.
        .target(name: "TestSupport", dependencies: ["Support"], path: "Tests/TestSupport"),
        .testTarget(name: "SupportTests", dependencies: ["Support", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Support", "Training", "Comm", "EventStore"]),
        .testTarget(name: "CommTests", dependencies: ["Comm", "Support"]),
        .testTarget(name: "EventStoreTests", dependencies: ["EventStore", "Comm", "Support"]),
        .testTarget(name: "PhysicsTests", dependencies: ["Physics", "EventStore", "Comm", "Support"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"], resources: [.copy("Reference")]),
        // RowMappingTests checks Training's one mapping against Generation's model: the target also sees Generation.
        .testTarget(name: "TrainingTests", dependencies: ["TestSupport", "Training", "Generation", "NN", "Comm", "EventStore", "Physics", "Metrics", "Support"]),
        .testTarget(name: "GenerationTests", dependencies: ["TestSupport", "Generation", "Training", "NN", "Comm", "EventStore", "Support"]),
        .testTarget(name: "EvaluationTests", dependencies: ["TestSupport", "Evaluation", "NN", "Comm", "EventStore", "Physics", "Support"]),
        .testTarget(name: "CLITests", dependencies: ["latentsim", "Workflows", "Training", "Generation", "Evaluation",
                                                   "Physics", "EventStore", "Comm", "NN", "Support"]),
    ],
    swiftLanguageModes: [.v5]
)
