import Comm
import EventStore
import Foundation
import NN
import Support
import Training

/// A trained generator ready to produce physical events in bulk: the sampler (noise → one output
/// row in one network pass, or a flow's K integration steps of 1–2 passes each, `Sampler`), then the run's `RowMapping` ending in the table's own columns: in latent
/// space the latent standardisation's inverse and the reducer's decoder, then the scaling's
/// inverse (standardisation, the integer columns' floor), the zero calibration and the frame's
/// inverse (restores mu2_py and gives each event a uniformly random azimuth), in the training
/// table's column order (`columns`). The same map scoring and the regression terms use, which end
/// in the rotation frame instead.
///
/// Event i depends only on (model, seed, i): its noise comes from its own Philox stream (seed,
/// stream i) and the azimuth from the frame's per-row stream, and chunks start at multiples of
/// `chunk` (global rows), so the output is bitwise the same for any rank count or shard layout
/// whose boundaries fall on such multiples — and, on the packed kernel (`DenseKernel`), for any, as a
/// row's network output does not depend on its batch. OpenBLAS (`LATENTSIM_DENSE_KERNEL=blas`) does
/// not promise that: 423 of 18,683 values changed between 100- and 512-row chunks. The networks run
/// on weights packed once at load. `generate` allocates nothing per event or per chunk (but for the
/// list of rejected rows in a chunk where the support guard rejects one, `GeneratorModel+Guard`,
/// whose redraws are keyed by (seed, i, attempt) and so keep that independence).
public final class GeneratorModel {
    public typealias Decoder = RowMapping.Decoder

    /// Philox substream of the sampler noise ("GEN"); the frame's azimuth uses its own.
    public static let noiseSubstream: UInt32 = 0x47454E
    /// Rows per chunk (noise, decode, HDF5 write); the networks sweep it 64 rows at a time, which keeps
    /// the layer outputs in a 1 MB L2 (Zen 4; 2.6 MB per 512-row sweep for gen17). Six interleaved
    /// pairs of `bench --generate --chunk` on one idle machine, medians, 1 rank: gen17 141k events/s
    /// compute (122k at 1024), 136k into HDF5 (127k), latent 101k into HDF5 (92k); 2 ranks, gen17 into
    /// HDF5, 3 pairs: 254k (231k). At 4096 (8 MiB) the latent model ran at 145k on 2 ranks against 170k
    /// at 1024 in an earlier session.
    public static let defaultChunk = 512

    /// The sampler network and how it samples (one pass, or a flow's ODE steps).
    public let sampler: Sampler
    /// The sampler's weights packed for `DenseKernel` (nil: OpenBLAS).
    let samplerWeights: PackedWeights?
    public var noiseWidth: Int { sampler.noiseWidth }
    /// Output rows → physical rows in `columns` (sized for one chunk).
    public let mapping: RowMapping
    /// Output columns: the training table's, in file order (then `weight` when reweighting).
    public var columns: [String] { reweighter == nil ? mapping.columns : mapping.columns + [Reweighter.column] }
    /// `generate --reweight`: every event also gets its DCTR weight, in a last column.
    public var reweighter: Reweighter? {
        didSet {
            weighted.deallocate()
            weighted = .allocate(capacity: reweighter == nil ? 0 : chunk * (mapping.columns.count + 1))
        }
    }
    /// One chunk with its weight column (reweighting only; refilled per chunk, freed with the model).
    private var weighted = UnsafeMutableBufferPointer<Float>.allocate(capacity: 0)

    /// The sampler's output rows of one chunk, gathered from its sweeps (allocated once).
    private let samplerOutput: UnsafeMutableBufferPointer<Float>

    /// The training table's range stored with the model (nil: trained before it was stored).
    public var support: SupportRange?
    /// `generate`'s support guard (nil: off); `guardCounts` sums what it did since the last `takeGuardCounts`.
    public var supportGuard: SupportGuard? {
        didSet { guardCounts = SupportGuard.Counts(columns: mapping.columns.count) }
    }
    var guardCounts: SupportGuard.Counts
    /// A chunk whose rejected rows are being replaced (allocated once).
    let guardedRows: UnsafeMutableBufferPointer<Float>

    deinit { weighted.deallocate(); samplerOutput.deallocate(); guardedRows.deallocate() }
    public let chunk: Int
    /// Rows per network sweep inside a chunk, sampler and packed decoder (`DenseKernel.sweepRows`;
    /// any positive value gives the same bits). Smaller chunks instead cost more in HDF5 writes than
    /// they gain: `bench --generate --breakdown`, chunk 64 against 512, HDF5 write 0.57-0.94 ms per
    /// 1000 events against 0.30, total CPU time not lower. 64-row sweeps in 512-row chunks against
    /// one sweep per chunk (Zen 4, load 4-7, 8 interleaved rounds of `bench --generate --breakdown`,
    /// medians of the per-round ratios): networks' share of peak AVX-512 gen17 0.815 -> 0.870 (x1.06),
    /// latent 0.790 -> 0.855 (x1.08); AVX2 gen17 0.625 -> 0.690 (x1.09), latent 0.620 -> 0.695
    /// (x1.13); CPU time per event into HDF5 x1.02-1.14 lower (single rounds from 0.94 to 1.36).
    public var sweepRows = DenseKernel.sweepRows {
        didSet {
            precondition(sweepRows > 0, "a sweep needs at least one row")
            mapping.sweepRows = sweepRows
        }
    }
    /// When set (benchmark breakdown), each stage of `generate` is charged to it.
    public var stages: GenerationStages? {
        didSet { mapping.lap = stages.map { stages in { stages.lap(GenerationStages.Stage($0)) } } }
    }

    /// A one-pass sampler network (`noiseWidth` is its input width).
    public convenience init(sampler: MLP, noiseWidth: Int, latentScaling: Preprocessor?, decoder: Decoder?, kept: KeptFeatures? = nil,
                            scaling: Preprocessor, zeros: ZeroCalibration, frame: Preprocessor?, columns: [String],
                            chunk: Int = GeneratorModel.defaultChunk) throws {
        precondition(noiseWidth == sampler.inputWidth, "noise width \(noiseWidth) is not the sampler's input width \(sampler.inputWidth)")
        try self.init(sampler: try Sampler(network: sampler), latentScaling: latentScaling, decoder: decoder, kept: kept,
                      scaling: scaling, zeros: zeros, frame: frame, columns: columns, chunk: chunk)
    }

    public init(sampler: Sampler, latentScaling: Preprocessor?, decoder: Decoder?, kept: KeptFeatures? = nil,
         scaling: Preprocessor, zeros: ZeroCalibration, frame: Preprocessor?, columns: [String],
         chunk: Int = GeneratorModel.defaultChunk) throws {
        precondition(sampler.maxBatch >= chunk && chunk > 0, "the sampler must take chunks of \(chunk) rows")
        self.sampler = sampler
        samplerWeights = PackedWeights(sampler.network)
        self.chunk = chunk
        samplerOutput = .allocate(capacity: chunk * sampler.outputWidth)
        mapping = try RowMapping(latentScaling: latentScaling, decoder: decoder, kept: kept, scaling: scaling, zeros: zeros,
                                 ending: .restored(frame: frame, columns: columns), maxRows: chunk)
        guardCounts = SupportGuard.Counts(columns: columns.count)
        guardedRows = .allocate(capacity: chunk * columns.count)
    }

    public var width: Int { columns.count }

    /// Generates global rows `rows` in chunks; `emit(values, rowsOfChunk)` receives each chunk's
    /// `count × width` floats (valid until the next chunk).
    public func generate(rows: Range<Int>, seed: UInt64,
                  emit: (UnsafeBufferPointer<Float>, Range<Int>) throws -> Void) throws {
        var start = rows.lowerBound
        while start < rows.upperBound {
            let end = min(rows.upperBound, (start / chunk + 1) * chunk)
            let out = try generateChunk(start..<end, seed: seed)
            try emit(out, start..<end)
            start = end
        }
    }

    /// One chunk (at most `chunk` rows, not crossing a multiple of `chunk`).
    private func generateChunk(_ rows: Range<Int>, seed: UInt64) throws -> UnsafeBufferPointer<Float> {
        let n = rows.count
        stages?.start()
        // Packed: sweeps of `sweepRows` rows reuse the start of the sampler's workspace (OpenBLAS: one).
        let width = sampler.outputWidth, step = samplerWeights == nil ? n : sweepRows
        for r0 in stride(from: 0, to: n, by: step) {
            let m = min(step, n - r0)
            Philox.fillNormalRows(sampler.noise(batch: m), width: noiseWidth, firstRow: rows.lowerBound + r0, seed: seed,
                                  substream: GeneratorModel.noiseSubstream)
            stages?.lap(.noise)
            let block = sampler.run(batch: m, packed: samplerWeights)
            (samplerOutput.baseAddress! + r0 * width).update(from: block.baseAddress!, count: m * width)
            stages?.lap(.sampler)
        }
        let output = UnsafeBufferPointer(start: samplerOutput.baseAddress, count: n * width)
        var physical = try mapping.physical(output, rows: n, firstRow: rows.lowerBound, seed: seed)
        if let supportGuard { physical = try guarded(physical, rows: rows, seed: seed, by: supportGuard) }
        guard let reweighter else { return physical }
        return try withWeights(physical, rows: n, reweighter: reweighter)
    }

    /// The chunk's rows with their weights appended (valid until the next chunk).
    private func withWeights(_ physical: UnsafeBufferPointer<Float>, rows n: Int,
                             reweighter: Reweighter) throws -> UnsafeBufferPointer<Float> {
        let k = mapping.columns.count
        let w = try reweighter.weights(physical, rows: n, columns: mapping.columns)
        for r in 0..<n {
            for j in 0..<k { weighted[r * (k + 1) + j] = physical[r * k + j] }
            weighted[r * (k + 1) + k] = Float(w[r])
        }
        return UnsafeBufferPointer(start: weighted.baseAddress, count: n * (k + 1))
    }
}
