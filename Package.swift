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
// Generation, Evaluation and Workflows (pipeline, bench); and the thin `latentsim` executable.
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
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-openmpi", providers: [.apt(["libhdf5-openmpi-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "Support", dependencies: ["CCrypto"], swiftSettings: nnSettings),
        .target(name: "NN", dependencies: ["CBLAS", "Support"], swiftSettings: nnSettings),
        .target(name: "Comm", dependencies: ["CMPI", "Support"]),
        .target(name: "EventStore", dependencies: ["CHDF5", "CMPI", "Comm", "Support"]),
        .target(name: "Physics", dependencies: ["EventStore", "Comm", "Support"]),
        .target(name: "Metrics", dependencies: []),
        .target(name: "Training", dependencies: ["NN", "Comm", "EventStore", "Physics", "Metrics", "Support"],
                swiftSettings: nnSettings),
        .target(name: "Generation", dependencies: ["Training", "NN", "Comm", "EventStore", "Physics", "Support"]),
        .target(name: "Evaluation", dependencies: ["NN", "Comm", "EventStore", "Physics", "Metrics", "Support"]),
        .target(name: "Workflows", dependencies: ["Training", "Generation", "Evaluation", "NN", "Comm", "EventStore",
                                                  "Physics", "Support"]),
        .executableTarget(name: "latentsim", dependencies: [
            "Workflows", "Training", "Generation", "Evaluation", "Physics", "EventStore", "Comm", "Support",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "SupportTests", dependencies: ["Support"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Support", "Training", "Comm"]),
        .testTarget(name: "CommTests", dependencies: ["Comm", "Support"]),
        .testTarget(name: "EventStoreTests", dependencies: ["EventStore", "Comm", "Support"]),
        .testTarget(name: "PhysicsTests", dependencies: ["Physics", "EventStore", "Comm", "Support"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"], resources: [.copy("Reference")]),
        .testTarget(name: "CLITests", dependencies: ["latentsim", "Workflows", "Training", "Generation", "Evaluation",
                                                   "Physics", "EventStore", "Comm", "NN", "Support"]),
    ],
    swiftLanguageModes: [.v5]
)
