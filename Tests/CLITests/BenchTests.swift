import Foundation
import XCTest
@testable import Support

/// `latentsim bench --json` prints the documented records (figures are not judged: speed belongs to
/// benchmarks, not tests).
final class BenchTests: XCTestCase {
    /// The model records, after checking the two machine records every run starts with: one core's
    /// measured FMA peak and SHA-256's MB/s. Every model record states its share of that peak.
    func records(_ outcome: CLI.Outcome, file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
        let all = try outcome.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(all.prefix(2).compactMap { $0["model"] as? String }, ["peak", "sha256"], outcome.stdout, file: file, line: line)
        XCTAssertGreaterThan(all.first?["gflop_s"] as? Double ?? 0, 1, "peak GFLOP/s", file: file, line: line)
        XCTAssertTrue(["avx512", "avx2"].contains(all.first?["isa"] as? String ?? ""), "\(all.first ?? [:])", file: file, line: line)
        XCTAssertGreaterThan(all.dropFirst().first?["mb_per_s"] as? Double ?? 0, 0, "sha256 MB/s", file: file, line: line)
        let models = Array(all.dropFirst(2))
        for record in models {
            XCTAssertGreaterThan(record["peak_fraction"] as? Double ?? 0, 0, "\(record)", file: file, line: line)
        }
        return models
    }

    func testJSONRecordsSingleProcessAndTwoRanks() throws {
        let single = try CLI.run(["bench", "--json", "--threads", "1", "--seconds", "0.05"])
        XCTAssertEqual(single.status, 0, single.stderr)
        let lines = try records(single)
        XCTAssertEqual(lines.compactMap { $0["model"] as? String }, ["ae", "gan17", "gan7", "sgemm"])
        for line in lines {
            XCTAssertEqual(line["threads"] as? Int, 1)
            XCTAssertEqual(line["mode"] as? String, "serial")
            XCTAssertGreaterThan(line["samples_per_s"] as? Double ?? 0, 0)
            XCTAssertGreaterThan(line["gflop_s"] as? Double ?? 0, 0)
        }
        // On a CPU with AVX2/FMA the binary never runs OpenBLAS's generic kernels (it restarts itself
        // with OPENBLAS_CORETYPE when the library does not know the CPU).
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? []
        if flags.contains("avx2") && flags.contains("fma") {
            let core = try XCTUnwrap(lines.first?["blas_core"] as? String)
            XCTAssertFalse(["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "unknown"].contains(core), core)
        }
        let picked = try CLI.run(["bench", "--json", "--threads", "1", "--seconds", "0.05", "--models", "gan7,sgemm"])
        XCTAssertEqual(picked.status, 0, picked.stderr)
        XCTAssertEqual(try records(picked).compactMap { $0["model"] as? String }, ["gan7", "sgemm"])
        let pairRun = try CLI.run(["bench", "--json", "--seconds", "0.05"], ranks: 2)
        XCTAssertEqual(pairRun.status, 0, pairRun.stderr)
        let pair = try records(pairRun)
        XCTAssertEqual(pair.count, 1, "stdout: \(pairRun.stdout)\nstderr: \(pairRun.stderr)")
        XCTAssertEqual(pair.first?["ranks"] as? Int, 2)
        let share = pair.first?["allreduce_share"] as? Double ?? -1
        XCTAssertTrue(share > 0 && share < 1, "allreduce share \(share)")
    }

    /// Both generators, compute / into HDF5 / networks alone; the peak record is that of the ISA
    /// the kernel runs, also when LATENTSIM_DENSE_KERNEL=avx2 forces AVX2 on an AVX-512 CPU.
    func testGenerateRecordsForBothModelsAndModes() throws {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? []
        // The kernel's AVX-512 variant needs F, BW, VL and DQ (DenseKernel.Variant.isSupported).
        let widest = ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(flags.contains) ? "avx512"
            : flags.contains("avx2") ? "avx2" : nil
        for (ranks, kernel) in [(0, nil), (2, nil), (0, "avx2")] as [(Int, String?)] {
            let r = try CLI.run(["bench", "--generate", "--json", "--seconds", "0.05"], ranks: ranks,
                                extraEnvironment: kernel.map { ["LATENTSIM_DENSE_KERNEL": $0] } ?? [:])
            XCTAssertEqual(r.status, 0, r.stderr)
            let lines = try records(r)
            XCTAssertEqual(lines.map { "\($0["model"] as? String ?? "?")/\($0["mode"] as? String ?? "?")" },
                           ["gen17/compute", "gen17/hdf5", "gen17/networks", "latent/compute", "latent/hdf5", "latent/networks"])
            for line in lines {
                XCTAssertEqual(line["ranks"] as? Int, max(ranks, 1))
                XCTAssertGreaterThan(line["events_per_s"] as? Double ?? 0, 0)
            }
            guard let isa = kernel ?? widest, flags.contains("avx2"), flags.contains("fma") else { continue }
            let peak = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.prefix { $0 != "\n" }.utf8)) as? [String: Any])
            XCTAssertEqual(peak["isa"] as? String, isa, r.stdout)
            XCTAssertEqual(Set(lines.compactMap { $0["kernel"] as? String }), ["packed-\(isa)"], r.stdout)
        }
    }

    /// Two threads run as workers unless `--thread-mode blas` asks for a 2-thread OpenBLAS; the
    /// sgemm ceiling always comes from OpenBLAS.
    func testTwoThreadRecordsNameTheirMode() throws {
        for (mode, expected) in [("workers", "workers"), ("blas", "blas")] {
            let r = try CLI.run(["bench", "--json", "--threads", "2", "--thread-mode", mode, "--seconds", "0.05",
                                 "--models", "ae,gan7,sgemm"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(try records(r).map { "\($0["model"] as? String ?? "?")/\($0["mode"] as? String ?? "?")" },
                           ["ae/\(expected)", "gan7/\(expected)", "sgemm/blas"])
        }
        let bad = try CLI.run(["bench", "--threads", "2", "--thread-mode", "openmp"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--thread-mode expects workers or blas; found 'openmp'"), bad.stderr)
    }

    func testUnknownModelIsRejectedWithTheValidNames() throws {
        let outcome = try CLI.run(["bench", "--models", "gan8"])
        XCTAssertEqual(outcome.status, 64)
        XCTAssertTrue(outcome.stderr.contains("gan8") && outcome.stderr.contains("gan17"), outcome.stderr)
    }
}
