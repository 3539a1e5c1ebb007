extension EventTable {
    /// Copies rows `offset + indices[i]` (i < n) of this table into `destination`, one after the
    /// other (n × width floats): how every trainer assembles its share of a global batch.
    /// Allocation-free.
    public func gather(_ indices: UnsafePointer<Int32>, count n: Int, offset: Int = 0, into destination: UnsafeMutablePointer<Float>) {
        let k = width
        values.withUnsafeBufferPointer { v in
            let source = v.baseAddress.unsafelyUnwrapped
            for i in 0..<n { (destination + i * k).update(from: source + (offset + Int(indices[i])) * k, count: k) }
        }
    }
}
