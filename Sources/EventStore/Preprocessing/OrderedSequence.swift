import Foundation
import Support

/// The kernels of the `ordered` step, for columns that are a descending sequence with absent
/// entries as 0 at the end (the five leading jet pTs: jet1 ≥ jet2 ≥ … ≥ 0, and a jet is absent
/// only when every later one is). Each column after the first is replaced by its place between the
/// continuum's start t and the column before it, so the order and the joint presence hold for any
/// value a network produces, instead of being five independent spikes it has to line up:
///
///     y_k = (x_k − t) / (x_{k−1} − t) ∈ [0, 1]   when both are present,
///     y_k = −1                                   when x_k is absent and x_{k−1} present,
///     y_k ~ the fitted distribution of y_k       when x_{k−1} is absent (x_k is 0 then).
///
/// The last case makes y_k carry the conditional presence of column k given column k−1 ("is there
/// a 4th jet when there is a 3rd"), whatever happened before: a random draw from the y_k values of
/// the training rows where x_{k−1} is present (from row r's Philox stream, like the quantile step's
/// spread spikes), so a network that learns y_k's marginal gets P(x_k present) = P(x_{k−1}
/// present)·P(y_k ≥ 0) and the correlation the presence carries.
///
/// Inverse, k = 2, 3, … in turn: x_k = t + min(y_k, 1)·(x_{k−1} − t) if x_{k−1} ≥ t and y_k ≥ 0, else 0.
/// Exact up to float rounding on the training rows; the first column passes unchanged. A leading
/// value a network puts inside the physical gap (0, t) counts as absent for the later columns, so
/// whatever the zero calibration then does with it (zero it, or lift it to its floor), no later
/// column is left inside the gap. A present value below t (only outside the training rows, which
/// fix t) is stored as y = 0 and comes back as t.
enum OrderedSequence {
    /// y of a column that is absent while the column before it is present.
    static let absent = -1.0

    /// Forward in place (descending k, so x_{k−1} is still physical when y_k is formed); a row
    /// that is not a descending sequence of finite values ≥ 0 is refused.
    static func forward(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, firstRow: Int, indices: [Int],
                        threshold t: Double, fill: [QuantileCurve], seed: UInt64, substream: UInt32,
                        columns: [String], step: String) throws {
        for r in 0..<rows {
            let base = r * width
            try check(buffer, base: base, row: firstRow + r, indices: indices, columns: columns, step: step)
            var generator = Philox(seed: seed, stream: UInt64(firstRow + r), substream: substream)
            for k in stride(from: indices.count - 1, through: 1, by: -1) {
                let previous = Double(buffer[base + indices[k - 1]])
                let y = previous > 0 ? ratio(Double(buffer[base + indices[k]]), previous: previous, threshold: t)
                    : fill[k - 1].quantile(generator.uniform()).x
                buffer[base + indices[k]] = Float(y)
            }
        }
    }

    /// Inverse in place, ascending k (x_{k−1} is physical again when x_k is formed).
    static func inverse(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices: [Int], threshold t: Double) {
        for r in 0..<rows {
            let base = r * width
            for k in 1..<indices.count {
                let previous = Double(buffer[base + indices[k - 1]]), y = Double(buffer[base + indices[k]])
                buffer[base + indices[k]] = Float(value(y, previous: previous, threshold: t))
            }
        }
    }

    /// The inverse's per-row partials at its input `buffer` (untouched), for `pullBack`: for each later
    /// column k, ∂x_k/∂y_k = x_{k−1} − t where x_k = t + y_k·(x_{k−1} − t) (0 once y_k ≥ 1 is clipped) and
    /// ∂x_k/∂x_{k−1} = min(y_k, 1) (1 where x_{k−1} = t gives x_k = x_{k−1}); both 0 where x_k is absent.
    /// x_{k−1} runs through the same Float roundings as `inverse`. `partials`: rows × stride, 2·(n − 1) at `offset`.
    static func keepPartials(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices: [Int], threshold t: Double,
                             partials: UnsafeMutableBufferPointer<Float>, stride: Int, offset: Int) {
        for r in 0..<rows {
            let base = r * width, out = r * stride + offset
            var previous = Double(buffer[base + indices[0]])
            for k in 1..<indices.count {
                let y = Double(buffer[base + indices[k]])
                var dy = 0.0, dPrevious = 0.0
                if previous >= t, y >= 0 {
                    if previous > t {
                        dy = y < 1 ? previous - t : 0
                        dPrevious = Swift.min(y, 1)
                    } else {
                        dPrevious = 1
                    }
                }
                partials[out + 2 * (k - 1)] = Float(dy)
                partials[out + 2 * (k - 1) + 1] = Float(dPrevious)
                previous = Double(Float(value(y, previous: previous, threshold: t)))
            }
        }
    }

    /// gradient ← Jᵀ·gradient over the listed columns (w.r.t. x on entry, y on return), last column first:
    /// x_k's total gradient reaches y_k and, through x_k = f(y_k, x_{k−1}), x_{k−1}.
    static func pullBack(_ gradient: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, indices: [Int],
                         partials: UnsafeBufferPointer<Float>, stride: Int, offset: Int) {
        for r in 0..<rows {
            let base = r * width, out = r * stride + offset
            var k = indices.count - 1
            while k >= 1 {
                let g = gradient[base + indices[k]]
                gradient[base + indices[k]] = g * partials[out + 2 * (k - 1)]
                gradient[base + indices[k - 1]] += g * partials[out + 2 * (k - 1) + 1]
                k -= 1
            }
        }
    }

    /// y_k of a present x_{k−1} (deterministic; the fit gathers these for the fill distribution).
    @inline(__always)
    static func ratio(_ x: Double, previous: Double, threshold t: Double) -> Double {
        guard x > 0 else { return absent }
        return previous > t ? Swift.min(Swift.max((x - t) / (previous - t), 0), 1) : 0
    }

    @inline(__always)
    static func value(_ y: Double, previous: Double, threshold t: Double) -> Double {
        guard previous >= t, y >= 0 else { return 0 }   // NaN y: absent
        return previous > t ? t + Swift.min(y, 1) * (previous - t) : previous
    }

    /// Every listed value finite and ≥ 0, each at most the one before it.
    static func check(_ buffer: UnsafeMutableBufferPointer<Float>, base: Int, row: Int, indices: [Int], columns: [String],
                      step: String) throws {
        for (k, c) in indices.enumerated() {
            let x = buffer[base + c]
            guard x.isFinite, x >= 0 else { throw PreprocessingError.orderedValue(x, row: row, column: columns[c], step: step) }
            if k > 0, x > buffer[base + indices[k - 1]] {
                throw PreprocessingError.unordered(row: row, column: columns[c], value: x, previous: columns[indices[k - 1]],
                                                   previousValue: buffer[base + indices[k - 1]], step: step)
            }
        }
    }
}
