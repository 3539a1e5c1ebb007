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

// The package graph mirrors the architecture: one tiny C interop target per native library,
// then NN (BLAS only), Comm (MPI), EventStore (HDF5 tables, CSV, preprocessing), Physics,
// Metrics, and the thin `latentsim` executable on top.
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
        .target(name: "NN", dependencies: ["CBLAS"], swiftSettings: nnSettings),
        .target(name: "Comm", dependencies: ["CMPI"]),
        .target(name: "EventStore", dependencies: ["CHDF5", "CMPI", "Comm", "NN"]),
        .target(name: "Physics", dependencies: ["EventStore", "Comm", "NN"]),
        .target(name: "Metrics", dependencies: []),
        .executableTarget(name: "latentsim", dependencies: [
            "NN", "Comm", "EventStore", "Physics", "Metrics",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "NNTests", dependencies: ["NN"]),
        .testTarget(name: "CommTests", dependencies: ["Comm"]),
        .testTarget(name: "EventStoreTests", dependencies: ["EventStore", "Comm", "NN"]),
        .testTarget(name: "PhysicsTests", dependencies: ["Physics", "EventStore", "Comm", "NN"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"], resources: [.copy("Reference")]),
        .testTarget(name: "CLITests", dependencies: ["latentsim", "EventStore", "Comm"]),
    ],
    swiftLanguageModes: [.v5]
)
