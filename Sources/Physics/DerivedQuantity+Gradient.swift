import Foundation
import Support

/// Batch values and analytic gradients of the derived quantities, for the GAN's regression terms:
/// the loss on q's batch moments must flow back to the generator's physical-unit output, so every
/// smooth quantity needs ∂q/∂x for the columns it reads. Rows are row-major float32 batches of
/// `width` columns; `columns` are the positions of `inputs` in a row, in `inputs` order.
extension DerivedQuantity {
    /// Below this invariant mass (GeV, well under the 2·m_μ ≈ 0.21 GeV threshold of real pairs)
    /// the mll gradient divides by the floor instead of m: ∂m/∂x = x/m diverges as m → 0+, and an
    /// unbounded gradient from one near-massless generated pair would swamp the whole batch.
    public static let massGradientFloor = 1e-3

    /// Whether q has a useful gradient. `njets` is a step function of the jet pTs: its derivative
    /// is zero almost everywhere, so it carries no regression signal (`accumulateGradient` adds
    /// nothing for it).
    public var isDifferentiable: Bool {
        switch self {
        case .mll, .ptll, .met, .phiMiss, .dphiLL: return true
        case .njets: return false
        }
    }

    /// q of each of the first `count` rows into `q[0..<count]`: exactly `compute`, so a batch and
    /// a table give bitwise the same values.
    public func values(_ rows: UnsafeBufferPointer<Float>, count: Int, width: Int, columns: [Int],
                       into q: UnsafeMutableBufferPointer<Double>) {
        checkLayout(rows.count, count: count, width: width, columns: columns)
        precondition(q.count >= count, "q holds \(q.count) values, needs \(count)")
        guard count > 0, let base = rows.baseAddress else { return }
        columns.withUnsafeBufferPointer { c in
            for r in 0..<count { q[r] = compute(base + r * width, c) }
        }
    }

    /// Adds `weights[i] · ∂q_i/∂x_{i,c}` to `gradient[i·width + c]` for each input column c of the
    /// first `count` rows; other entries are untouched. Where mll's m² ≤ 0 (q clamped to 0) the
    /// gradient is 0; at a zero vector (ptll, met, the azimuths) it is 0 too (the subgradient
    /// nearest the symmetric choice). The azimuths use atan2's derivative and ignore the ±π wrap,
    /// a measure-zero jump. No allocation.
    public func accumulateGradient(_ rows: UnsafeBufferPointer<Float>, count: Int, width: Int, columns: [Int],
                                   weights: UnsafeBufferPointer<Double>,
                                   into gradient: UnsafeMutableBufferPointer<Float>) {
        checkLayout(rows.count, count: count, width: width, columns: columns)
        precondition(weights.count >= count, "weights hold \(weights.count) values, needs \(count)")
        precondition(gradient.count >= count * width, "gradient holds \(gradient.count) floats, needs count × width")
        guard count > 0, isDifferentiable, let base = rows.baseAddress, let out = gradient.baseAddress else { return }
        columns.withUnsafeBufferPointer { c in
            for r in 0..<count {
                addGradient(base + r * width, c, weight: weights[r], into: out + r * width)
            }
        }
    }

    /// One row's weighted gradient, added into `g` (the row's slice of the gradient).
    @inline(__always)
    private func addGradient(_ row: UnsafePointer<Float>, _ c: UnsafeBufferPointer<Int>, weight w: Double,
                             into g: UnsafeMutablePointer<Float>) {
        switch self {
        case .mll:
            let e = Double(row[c[0]]) + Double(row[c[4]])
            let x = Double(row[c[1]]) + Double(row[c[5]])
            let y = Double(row[c[2]]) + Double(row[c[6]])
            let z = Double(row[c[3]]) + Double(row[c[7]])
            let m2 = e * e - x * x - y * y - z * z
            guard m2 > 0 else { return }
            // m = √(E² − p²): ∂m/∂E = E/m, ∂m/∂p = −p/m, the same for both muons' components.
            let k = w / Swift.max(m2.squareRoot(), DerivedQuantity.massGradientFloor)
            let de = Float(k * e), dx = Float(-k * x), dy = Float(-k * y), dz = Float(-k * z)
            g[c[0]] += de; g[c[1]] += dx; g[c[2]] += dy; g[c[3]] += dz
            g[c[4]] += de; g[c[5]] += dx; g[c[6]] += dy; g[c[7]] += dz
        case .ptll:
            let x = Double(row[c[0]]) + Double(row[c[2]])
            let y = Double(row[c[1]]) + Double(row[c[3]])
            let pt = (x * x + y * y).squareRoot()
            guard pt > 0 else { return }
            let dx = Float(w * x / pt), dy = Float(w * y / pt)
            g[c[0]] += dx; g[c[1]] += dy; g[c[2]] += dx; g[c[3]] += dy
        case .met:
            let x = Double(row[c[0]]), y = Double(row[c[1]])
            let pt = (x * x + y * y).squareRoot()
            guard pt > 0 else { return }
            g[c[0]] += Float(w * x / pt); g[c[1]] += Float(w * y / pt)
        case .phiMiss:
            addAzimuthGradient(x: row[c[0]], y: row[c[1]], weight: w, g + c[0], g + c[1])
        case .dphiLL:
            addAzimuthGradient(x: row[c[0]], y: row[c[1]], weight: w, g + c[0], g + c[1])
            addAzimuthGradient(x: row[c[2]], y: row[c[3]], weight: -w, g + c[2], g + c[3])
        case .njets:
            return
        }
    }

    /// ∂atan2(y, x)/∂x = −y/(x² + y²), ∂/∂y = x/(x² + y²), weighted and added; 0 at the origin.
    @inline(__always)
    private func addAzimuthGradient(x xf: Float, y yf: Float, weight w: Double,
                                    _ gx: UnsafeMutablePointer<Float>, _ gy: UnsafeMutablePointer<Float>) {
        let x = Double(xf), y = Double(yf)
        let r2 = x * x + y * y
        guard r2 > 0 else { return }
        gx.pointee += Float(-w * y / r2)
        gy.pointee += Float(w * x / r2)
    }

    /// The batch layout must be what `inputs` needs: a bad layout is a caller's bug, not input.
    /// `inputs.count` without building the array: the layout check runs in every training step,
    /// which allocates nothing (AllocationTests, the MMD term).
    var inputCount: Int {
        switch self {
        case .mll: return 8
        case .ptll, .dphiLL: return 4
        case .met, .phiMiss: return 2
        case .njets: return 5
        }
    }

    private func checkLayout(_ available: Int, count: Int, width: Int, columns: [Int]) {
        precondition(count >= 0 && width > 0, "count must be ≥ 0 and width > 0")
        precondition(columns.count == inputCount,
                     "\(rawValue) needs \(inputCount) column positions (\(inputs.joined(separator: ", "))), got \(columns.count)")
        // By index: iterating the array (or allSatisfy) allocates a coroutine frame per element in debug builds.
        for i in 0..<columns.count { precondition(columns[i] >= 0 && columns[i] < width, "column positions must lie in 0..<width") }
        precondition(available >= count * width, "rows hold \(available) floats, need count × width")
    }
}
