import Foundation

extension Preprocessor {
    /// A fitted rotation step's vectors as column names: the reference's (px, py) first (its py is
    /// the column the step drops), then every vector rotated with it; nil without a rotation.
    public var rotationAxes: [(px: String, py: String)]? {
        for step in plan ?? [] {
            guard case let .rotate(px, py, pairs, _) = step.operation else { continue }
            let names = step.inputColumns
            return [(names[px], names[py])] + stride(from: 0, to: pairs.count, by: 2).map { (names[pairs[$0]], names[pairs[$0 + 1]]) }
        }
        return nil
    }

    /// Undoes the rotation with each row's own azimuth instead of a random one (`reconstruct`: a
    /// round trip keeps every event where it was). `table` holds rows in the rotation frame (the
    /// reference's p_y = 0 and p_x = p_T; every column of `original`, any order), `original` the
    /// same rows before `forward`; every (px, py) pair of row r is rotated by the azimuth φ of the
    /// reference in `original` row r (0 when its p_T is 0, as `forward` takes it), in Double.
    /// Without a rotation step the rows are left as they are.
    public func restoreAzimuths(_ table: inout EventTable, original: EventTable) {
        precondition(table.rows == original.rows, "the rotated rows and the original rows differ in number")
        guard let axes = rotationAxes else { return }
        let reference = (x: original.columnIndex(axes[0].px)!, y: original.columnIndex(axes[0].py)!)
        let pairs = axes.map { (x: table.columnIndex($0.px)!, y: table.columnIndex($0.py)!) }
        let (w, v) = (table.width, original.width)
        for r in 0..<table.rows {
            let x = Double(original.values[r * v + reference.x]), y = Double(original.values[r * v + reference.y])
            let pt = (x * x + y * y).squareRoot()
            let (c, s) = pt > 0 ? (x / pt, y / pt) : (1.0, 0.0)
            for pair in pairs {
                let i = r * w + pair.x, j = r * w + pair.y
                let a = Double(table.values[i]), b = Double(table.values[j])
                table.values[i] = Float(c * a - s * b)
                table.values[j] = Float(s * a + c * b)
            }
        }
    }
}
