import Foundation
import Support

/// The buffer kernels: row-major `rows × width` float32, transformed in place without allocation.
/// Forward reads `rows × inputWidth` and leaves `rows × outputWidth` packed at the start; inverse
/// does the opposite (the buffer must hold `rows × max(width)` floats).
extension ResolvedStep {
    func forward(_ buffer: UnsafeMutableBufferPointer<Float>, rows: Int, firstRow: Int, seed: UInt64) throws {
        let w = inputWidth
        switch operation {
        case let .affine(indices, shift, scale):
            for r in 0..<rows {
                let base = r * w
                for k in 0..<indices.count {
                    let i = base + indices[k]
                    buffer[i] = Float((Double(buffer[i]) - shift[k]) / scale[k])
                }
            }
        case let .log1p(indices):
            for r in 0..<rows {
                let base = r * w
                for c in indices {
                    let x = buffer[base + c]
                    guard x > -1 else {
                        throw PreprocessingError.log1pDomain(x, row: firstRow + r, column: inputColumns[c])
                    }
                    buffer[base + c] = Float(Foundation.log1p(Double(x)))
                }
            }
        case let .smear(indices, sigma, substream):
            try IntegerSmearing.forward(buffer, width: w, rows: rows, firstRow: firstRow, indices: indices,
                                        sigma: sigma, seed: seed, substream: substream, columns: inputColumns)
        case let .rotate(px, py, pairs, _):
            AzimuthalRotation.forward(buffer, width: w, rows: rows, referencePx: px, referencePy: py, pairs: pairs)
        case let .pairMass(indices):
            PairMass.forward(buffer, width: w, rows: rows, indices: indices)
        case let .pairPt(indices):
            PairPt.forward(buffer, width: w, rows: rows, indices: indices)
        case let .quantile(indices, curves, substream):
            QuantileTransform.forward(buffer, width: w, rows: rows, firstRow: firstRow, indices: indices, curves: curves,
                                      seed: seed, substream: substream)
        case let .ordered(indices, threshold, fill, substream):
            try OrderedSequence.forward(buffer, width: w, rows: rows, firstRow: firstRow, indices: indices, threshold: threshold,
                                        fill: fill, seed: seed, substream: substream, columns: inputColumns, step: label)
        case let .zeroSpike(indices, start, gap):
            for r in 0..<rows {
                let base = r * w
                for k in 0..<indices.count {
                    let i = base + indices[k]
                    let x = Double(buffer[i])
                    buffer[i] = Float(x >= start[k] ? x - start[k] : (x / start[k] - 1) * gap[k])
                }
            }
        }
    }

    func inverse(_ buffer: UnsafeMutableBufferPointer<Float>, rows: Int, firstRow: Int, seed: UInt64) {
        let w = outputWidth
        switch operation {
        case let .affine(indices, shift, scale):
            for r in 0..<rows {
                let base = r * w
                for k in 0..<indices.count {
                    let i = base + indices[k]
                    buffer[i] = Float(Double(buffer[i]) * scale[k] + shift[k])
                }
            }
        case let .log1p(indices):
            for r in 0..<rows {
                let base = r * w
                // By index, as the other inverse kernels: an iterator allocates in debug builds, and the
                // training steps' derivative path runs these inverses (AllocationTests).
                for k in 0..<indices.count { let c = indices[k]; buffer[base + c] = Float(Foundation.expm1(Double(buffer[base + c]))) }
            }
        case let .smear(indices, _, _):
            for r in 0..<rows {
                let base = r * w
                for k in 0..<indices.count { let c = indices[k]; buffer[base + c] = buffer[base + c].rounded(.down) }
            }
        case let .rotate(px, py, pairs, substream):
            AzimuthalRotation.inverse(buffer, width: inputWidth, rows: rows, firstRow: firstRow, referencePx: px,
                                      referencePy: py, pairs: pairs, seed: seed, substream: substream)
        case let .pairMass(indices):
            PairMass.inverse(buffer, width: w, rows: rows, indices: indices)
        case let .pairPt(indices):
            PairPt.inverse(buffer, width: w, rows: rows, indices: indices)
        case let .quantile(indices, curves, _):
            QuantileTransform.inverse(buffer, width: w, rows: rows, indices: indices, curves: curves)
        case let .ordered(indices, threshold, _, _):
            OrderedSequence.inverse(buffer, width: w, rows: rows, indices: indices, threshold: threshold)
        case let .zeroSpike(indices, start, gap):
            for r in 0..<rows {
                let base = r * w
                for k in 0..<indices.count {
                    let i = base + indices[k]
                    let y = Double(buffer[i])
                    buffer[i] = Float(y >= 0 ? y + start[k] : start[k] * (1 + y / gap[k]))
                }
            }
        }
    }
}
