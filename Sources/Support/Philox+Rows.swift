extension Philox {
    /// Per-event noise: row i of `buffer` (rows of `width` values) is standard normal from its own
    /// stream (seed, firstRow + i, substream), so an event's noise does not depend on how rows are
    /// split into batches, chunks or ranks.
    ///
    /// Bitwise what `fillNormal` gives on each row's stream (`fillNormalRowsReference`), but eight
    /// rows at a time: a row is only a few blocks wide (width 64 = 16 blocks), too short for the
    /// eight-block step of `fillNormal`, so per row every block was scalar. Here the SIMD lanes are
    /// eight rows (block j of streams r…r+7), and Box–Muller runs as one vectorised loop over the
    /// tile's pairs of those rows. Rows past the last multiple of eight take the per-row path.
    /// No allocation: the scratch is a 1 KiB stack buffer.
    public static func fillNormalRows(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, firstRow: Int,
                                      seed: UInt64, substream: UInt32) {
        guard width > 0, let out = buffer.baseAddress else { return }
        let rows = buffer.count / width
        let key = Philox(seed: seed, stream: 0).key
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * pairsPerTile * 8) { scratch in
            guard let scratch = scratch.baseAddress else { return }
            var r = 0
            while r + 8 <= rows {
                fillEightRows(out + r * width, width: width, firstStream: UInt64(firstRow + r), key: key,
                              substream: substream, scratch: scratch)
                r += 8
            }
            for i in r..<rows {
                var rng = Philox(seed: seed, stream: UInt64(firstRow + i), substream: substream)
                rng.fillNormal(UnsafeMutableBufferPointer(start: out + i * width, count: width))
            }
        }
    }

    /// The plain per-row twin of `fillNormalRows` (one `Philox` and one `fillNormal` per row), for
    /// the tests that pin the eight-row path to it bit for bit.
    static func fillNormalRowsReference(_ buffer: UnsafeMutableBufferPointer<Float>, width: Int, firstRow: Int,
                                        seed: UInt64, substream: UInt32) {
        guard width > 0 else { return }
        for i in 0..<(buffer.count / width) {
            var rng = Philox(seed: seed, stream: UInt64(firstRow + i), substream: substream)
            rng.fillNormal(UnsafeMutableBufferPointer(rebasing: buffer[(i * width)..<((i + 1) * width)]))
        }
    }

    /// Box–Muller pairs per column tile of eight rows: 8 blocks = 32 values per row, so the scratch
    /// (first and second uniforms of each pair × 8 lanes) is 256 floats, small enough for the stack.
    static let pairsPerTile = 16

    /// Rows `out[0..<8·width]` from streams firstStream…firstStream+7, tile by tile. Within a
    /// tile, pair q of lane l sits at `first[8q + l]`, `second[8q + l]`: the layout that lets the
    /// Box–Muller loop run over contiguous memory. Value 2q of the row is the pair's cosine and
    /// value 2q + 1 its sine, as in `fillNormal` (whose last, partial block is the same pattern cut short).
    @inline(__always)
    private static func fillEightRows(_ out: UnsafeMutablePointer<Float>, width: Int, firstStream: UInt64,
                                      key: (UInt32, UInt32), substream: UInt32, scratch: UnsafeMutablePointer<Float>) {
        let streams = SIMD8<UInt64>(repeating: firstStream) &+ SIMD8<UInt64>(0, 1, 2, 3, 4, 5, 6, 7)
        let c1 = SIMD8<UInt64>(repeating: UInt64(substream))
        let c2 = streams & SIMD8(repeating: 0xFFFF_FFFF), c3 = streams &>> 32
        let first = scratch, second = scratch + 8 * pairsPerTile
        let blocks = (width + 3) / 4
        var block = 0
        while block < blocks {
            let tileBlocks = min(pairsPerTile / 2, blocks - block)
            for j in 0..<tileBlocks {
                let b = blocks8(SIMD8(repeating: UInt64(UInt32(truncatingIfNeeded: block + j))), c1, c2, c3, key)
                store(unit8(b.0), first + 16 * j)
                store(unit8(b.1), second + 16 * j)
                store(unit8(b.2), first + 16 * j + 8)
                store(unit8(b.3), second + 16 * j + 8)
            }
            // 0 + 1·z is fillNormal's mean + std·z with its defaults (it turns −0 into +0, so it
            // stays for bitwise equality).
            for i in 0..<(16 * tileBlocks) {
                let (c, s) = boxMuller(first[i], second[i])
                first[i] = 0 + c
                second[i] = 0 + s
            }
            // Transpose into the rows: value 2q of a row is its pair q's cosine, 2q + 1 the sine.
            let column = 4 * block, values = min(4 * tileBlocks, width - column)
            for lane in 0..<8 {
                var row = out + lane * width + column, cosine = first + lane, sine = second + lane
                for _ in 0..<(values / 2) {
                    row[0] = cosine[0]
                    row[1] = sine[0]
                    row += 2
                    cosine += 8
                    sine += 8
                }
                if values % 2 == 1 { row[0] = cosine[0] }
            }
            block += tileBlocks
        }
    }

    @inline(__always)
    private static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }
}
