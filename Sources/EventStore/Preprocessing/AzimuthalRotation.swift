import Foundation
import Support

/// The paper's azimuthal rotation. Forward: every (px, py) pair of a row is rotated by −φ of the
/// reference vector, which ends with p_x = p_T ≥ 0 and p_y = 0; the reference p_y column is then
/// dropped (rows are compacted in place). Inverse: the rows are expanded in place, p_y = 0 is
/// re-inserted, and the whole event is rotated by φ = 2π·u, u uniform from the row's own Philox
/// stream `(seed, firstRow + r, substream)`. Scalars (E, pz, pT-only columns, counts) are untouched.
enum AzimuthalRotation {
    /// `buffer` holds `rows × width` floats; on return it holds `rows × (width − 1)`.
    static func forward(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int,
                        referencePx px: Int, referencePy py: Int, pairs: [Int]) {
        let packed = width - 1
        for r in 0..<rows {
            let base = r * width
            let x = Double(buffer[base + px]), y = Double(buffer[base + py])
            let pt = (x * x + y * y).squareRoot()
            let (c, s) = pt > 0 ? (x / pt, y / pt) : (1.0, 0.0)
            var k = 0
            while k < pairs.count {
                let i = base + pairs[k], j = base + pairs[k + 1]
                let a = Double(buffer[i]), b = Double(buffer[j])
                buffer[i] = Float(c * a + s * b)
                buffer[j] = Float(c * b - s * a)
                k += 2
            }
            buffer[base + px] = Float(pt)
            // Compact left to right: every destination is at or before its source, and before any
            // source not yet read.
            let destination = r * packed
            for column in 0..<width where column != py {
                buffer[destination + (column < py ? column : column - 1)] = buffer[base + column]
            }
        }
    }

    /// `buffer` holds `rows × (width − 1)` floats and room for `rows × width`; on return it holds
    /// `rows × width`, each row rotated to a random azimuth.
    static func inverse(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, rows: Int, firstRow: Int,
                        referencePx px: Int, referencePy py: Int, pairs: [Int], seed: UInt64, substream: UInt32) {
        let packed = width - 1
        var r = rows - 1
        while r >= 0 {
            // Expand last row first, right to left: every destination is at or after its source,
            // and after any source not yet read.
            let source = r * packed, base = r * width
            var column = width - 1
            while column >= 0 {
                if column != py { buffer[base + column] = buffer[source + (column < py ? column : column - 1)] }
                column -= 1
            }
            var generator = Philox(seed: seed, stream: UInt64(firstRow + r), substream: substream)
            let phi = 2 * Double.pi * generator.uniform()
            let c = Foundation.cos(phi), s = Foundation.sin(phi)
            let pt = Double(buffer[base + px])
            buffer[base + px] = Float(c * pt)
            buffer[base + py] = Float(s * pt)
            var k = 0
            while k < pairs.count {
                let i = base + pairs[k], j = base + pairs[k + 1]
                let a = Double(buffer[i]), b = Double(buffer[j])
                buffer[i] = Float(c * a - s * b)
                buffer[j] = Float(s * a + c * b)
                k += 2
            }
            r -= 1
        }
    }
}
