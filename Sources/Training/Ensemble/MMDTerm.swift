import Comm
import EventStore
import NN
import Physics
import Support

/// The generator's MMD term: λ·MMD²(q(generated batch), q(real batch)) on derived quantities q
/// (`mmd`), each standardised by its mean and spread over the training rows, under the fixed sum of
/// Gaussian kernels of `MixtureMMD` (bandwidths `mmd_bandwidth`, /2, …, `mmd_kernels` of them), summed
/// over the quantities (each one's own MMD²) or, with `mmd_joint`, on their joint vector. Feature
/// columns (`mmd_columns`) come after the quantities and share one kernel on their joint vector, so
/// the term sees their correlation (e.g. jet3_pt and jet4_pt), not only their marginals.
///
/// Why: the latent GAN sees quantities such as ptll, met and dphi_ll only through the decoder, and
/// its adversarial loss leaves them off (KS 0.087, 0.027, 0.022 on fresh events for the shipped
/// quickstart); the regression terms match two moments of one quantity, MMD the whole (joint)
/// distribution of several.
///
/// The MMD takes the global batch's first N = min(`mmd_batch`, B) generated rows and N real rows (its
/// cost grows as N²: 1024 rows took 160 ms per step on 2 loaded cores for 4 quantities, so 512 is the
/// default). Data parallel: each rank's q of its rows among them are all-gathered (N × d floats), the N real rows are drawn from every training row by one Philox stream keyed by
/// (seed, step) on every rank alike (the standardised q of all training rows are gathered once), and
/// each rank computes the gradient of its own rows and its share of MMD² (then summed). A row's
/// gradient is then bitwise the same for any rank count; MMD² differs in the order of one sum.
/// Workspaces are sized once; `apply` allocates nothing.
final class MMDTerm {
    /// A derived quantity, or a feature column's own value (`mmd_columns`).
    struct Quantity {
        let quantity: DerivedQuantity?
        let columns: [Int]
        let mean: Double, std: Double

        /// q of the first `count` rows.
        func values(_ rows: UnsafeBufferPointer<Float>, count: Int, width: Int, into q: UnsafeMutableBufferPointer<Double>) {
            if let quantity {
                quantity.values(rows, count: count, width: width, columns: columns, into: q)
            } else {
                for r in 0..<count { q[r] = Double(rows[r * width + columns[0]]) }
            }
        }

        /// Adds weights[i]·∂q_i/∂x into the rows' gradient (a column's derivative is 1).
        func accumulateGradient(_ rows: UnsafeBufferPointer<Float>, count: Int, width: Int, weights: UnsafeBufferPointer<Double>,
                                into gradient: UnsafeMutableBufferPointer<Float>) {
            if let quantity {
                quantity.accumulateGradient(rows, count: count, width: width, columns: columns, weights: weights, into: gradient)
            } else {
                for r in 0..<count { gradient[r * width + columns[0]] += Float(weights[r]) }
            }
        }
    }

    let quantities: [Quantity]
    let weight: Double
    let seed: UInt64
    /// Generated (N) and real (M) rows of one MMD; this rank's generated rows and its share of the real ones.
    let generatedCount: Int, realCount: Int
    let ownRows: Range<Int>, realShare: Range<Int>
    /// This rank's generated rows in all (its first `ownRows.count` are the MMD's).
    let localRows: Int
    let trainTotal: Int
    private let kernel: MixtureMMD
    /// Standardised q of every training row (trainTotal × d, row-major), the same on every rank.
    private let table: UnsafeMutableBufferPointer<Float>
    private let counts: [Int32], displacements: [Int32]
    private let local: FloatStorage, gathered: FloatStorage, generated: FloatStorage, real: FloatStorage, pulls: FloatStorage
    private let q: UnsafeMutableBufferPointer<Double>, weights: UnsafeMutableBufferPointer<Double>
    private let partial = UnsafeMutableBufferPointer<Double>.allocate(capacity: 1)

    /// `frameColumns`: the physical rows' columns (rotation frame); `seed`: the restart's.
    init(_ s: GANSettings, data: GANData, frameColumns: [String], seed: UInt64, comm: Communicator) throws {
        let d = s.mmd.count + s.mmdColumns.count, batch = min(s.mmdBatch, s.batch)
        let derived = try s.mmd.map { q -> (DerivedQuantity?, [Int]) in
            guard let columns = q.columnPositions(in: frameColumns, roles: s.roles) else {
                let lacking = q.inputs.filter { s.roles.column($0, in: frameColumns) == nil }
                throw InputError("mmd quantity '\(q.rawValue)' needs column '\(lacking[0])', which the features "
                                 + "(\(frameColumns.joined(separator: ","))) lack; drop it from mmd", exitCode: ExitStatus.usage)
            }
            return (q, columns)
        }
        // The columns come last, one block of the kernel (their joint distribution).
        let resolved = try derived + s.mmdColumns.map { name -> (DerivedQuantity?, [Int]) in
            guard let c = frameColumns.firstIndex(of: s.roles.column(name, in: frameColumns) ?? name) else {
                throw InputError("mmd_columns lists '\(name)', which the features (\(frameColumns.joined(separator: ","))) lack; "
                                 + "name features or drop it", exitCode: ExitStatus.usage)
            }
            return (nil, [c])
        }
        // q of every training row, gathered in global row order on every rank.
        let frame = RowMapping.appendingFrameColumn(data.prepared.trainPhysical, dropped: data.prepared.frameColumn)
        var own = [Double](repeating: 0, count: frame.rows * d), values = [Double](repeating: 0, count: frame.rows)
        for (a, (quantity, columns)) in resolved.enumerated() {
            let term = Quantity(quantity: quantity, columns: columns, mean: 0, std: 1)
            frame.values.withUnsafeBufferPointer { v in
                values.withUnsafeMutableBufferPointer { term.values(v, count: frame.rows, width: frame.width, into: $0) }
            }
            for r in 0..<frame.rows { own[r * d + a] = values[r] }
        }
        let layout = try comm.allgather([Int64(frame.rows), Int64(data.train.firstRow)])
        let total = data.trainTotal
        var all = [Double](repeating: 0, count: total * d)
        try own.withUnsafeBufferPointer { src in
            try all.withUnsafeMutableBufferPointer { dst in
                try comm.allgatherv(src, into: dst, counts: (0..<comm.size).map { Int32(layout[2 * $0] * Int64(d)) },
                                    displacements: (0..<comm.size).map { Int32(layout[2 * $0 + 1] * Int64(d)) })
            }
        }
        // Mean and spread over every training row in row order: the same bits for any rank count.
        let terms = resolved.enumerated().map { a, pair -> Quantity in
            var sum = 0.0, squares = 0.0
            for r in 0..<total { sum += all[r * d + a] }
            let mean = sum / Double(max(total, 1))
            for r in 0..<total { squares += (all[r * d + a] - mean) * (all[r * d + a] - mean) }
            let std = (squares / Double(max(total, 1))).squareRoot()
            return Quantity(quantity: pair.0, columns: pair.1, mean: mean, std: std > 0 ? std : 1)
        }
        let standardised = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, total * d))
        for r in 0..<total {
            for (a, q) in terms.enumerated() { standardised[r * d + a] = Float((all[r * d + a] - q.mean) / q.std) }
        }
        table = standardised
        quantities = terms
        trainTotal = total
        weight = s.mmdWeight
        self.seed = seed
        generatedCount = batch
        realCount = batch
        let blocks = s.mmdJoint || s.mmdColumns.isEmpty ? nil : (0..<s.mmd.count).map { $0..<($0 + 1) } + [s.mmd.count..<d]
        kernel = blocks.map { MixtureMMD(dimensions: d, bandwidth: s.mmdBandwidth, kernels: s.mmdKernels, blocks: $0) }
            ?? MixtureMMD(dimensions: d, bandwidth: s.mmdBandwidth, kernels: s.mmdKernels, joint: s.mmdJoint)
        // Rank r's generated rows: its workers' contiguous shares of the B rows (GANTrainer.generatorRows),
        // of which the MMD takes those among the first `batch`.
        let spans = (0..<comm.size).map { r -> Range<Int> in
            let first = GANTrainer.generatorRows(batch: s.batch, rank: r, ranks: comm.size, worker: 0, workers: s.threads)
            let last = GANTrainer.generatorRows(batch: s.batch, rank: r, ranks: comm.size, worker: s.threads - 1, workers: s.threads)
            return first.lowerBound..<last.upperBound
        }
        let rows = spans.map { min($0.lowerBound, batch)..<min($0.upperBound, batch) }
        localRows = spans[comm.rank].count
        ownRows = rows[comm.rank]
        realShare = comm.share(of: batch)
        counts = rows.map { Int32($0.count * d) }
        displacements = rows.map { Int32($0.lowerBound * d) }
        local = FloatStorage(count: ownRows.count * d)
        gathered = FloatStorage(count: batch * d)
        generated = FloatStorage(count: MixtureMMD.stride(batch) * d)
        real = FloatStorage(count: MixtureMMD.stride(batch) * d)
        generated.buffer.update(repeating: MixtureMMD.padding)
        real.buffer.update(repeating: MixtureMMD.padding)
        pulls = FloatStorage(count: ownRows.count * d)
        q = .allocate(capacity: max(1, ownRows.count))
        weights = .allocate(capacity: max(1, ownRows.count))
    }

    deinit {
        table.deallocate()
        q.deallocate()
        weights.deallocate()
        partial.deallocate()
    }

    /// Adds ∂(λ·MMD²)/∂x for this rank's generated rows (`physical`: its `ownRows.count` rows of
    /// `width` columns, rotation frame) into `gradient`; returns λ·MMD², the same on every rank.
    /// Collective over `comm` (the restart's group).
    func apply(_ physical: UnsafeBufferPointer<Float>, rows n: Int, width: Int, step: Int, comm: Communicator,
               into gradient: UnsafeMutableBufferPointer<Float>) throws -> Double {
        precondition(n == localRows, "the MMD term expects this rank's \(localRows) generated rows, found \(n)")
        let n = ownRows.count
        let d = quantities.count, sx = MixtureMMD.stride(generatedCount), sy = MixtureMMD.stride(realCount)
        // Index loops: iterating the array allocates per element in debug builds (AllocationTests).
        for a in 0..<d {
            let term = quantities[a]
            term.values(physical, count: n, width: width, into: q)
            for i in 0..<n { local.start[i * d + a] = Float((q[i] - term.mean) / term.std) }
        }
        try comm.allgatherv(UnsafeBufferPointer(local.buffer), into: gathered.buffer, counts: counts, displacements: displacements)
        for i in 0..<generatedCount {
            for a in 0..<d { generated.start[a * sx + i] = gathered.start[i * d + a] }
        }
        var rng = Philox(seed: seed, stream: UInt64(step) << 32, substream: TrainingNoise.mmd)
        for j in 0..<realCount {
            let row = rng.below(trainTotal)
            for a in 0..<d { real.start[a * sy + j] = table[row * d + a] }
        }
        partial[0] = kernel.evaluate(generated: generated.start, count: generatedCount, real: real.start, count: realCount,
                                     rows: ownRows, realRows: realShare, gradient: pulls.buffer)
        try comm.allreduce(partial, op: .sum)
        for a in 0..<d {
            let term = quantities[a]
            for i in 0..<n { weights[i] = weight * Double(pulls.start[i * d + a]) / term.std }
            term.accumulateGradient(physical, count: n, width: width, weights: UnsafeBufferPointer(weights), into: gradient)
        }
        return weight * partial[0]
    }
}
