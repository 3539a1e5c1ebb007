import Support
/// Owns one zero-initialised, 64-byte-aligned `Float` allocation for its whole lifetime.
///
/// Every buffer the engine touches during a training step (parameters, gradients, optimizer
/// state, activations, deltas) lives in one of these, allocated once at construction; the step
/// itself only passes `UnsafeMutableBufferPointer`s around.
public final class FloatStorage {
    public let buffer: UnsafeMutableBufferPointer<Float>

    public init(count: Int) {
        precondition(count >= 0, "negative buffer size")
        let capacity = max(count, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Float>.stride, alignment: 64)
        let start = raw.bindMemory(to: Float.self, capacity: capacity)
        start.initialize(repeating: 0, count: capacity)
        buffer = UnsafeMutableBufferPointer(start: start, count: count)
    }

    /// Base address; never nil (a zero-length storage still owns one element).
    public var start: UnsafeMutablePointer<Float> {
        // The initialiser always allocates at least one element.
        buffer.baseAddress.unsafelyUnwrapped
    }

    /// A view of elements `offset ..< offset + count`.
    public func view(_ offset: Int, _ count: Int) -> UnsafeMutableBufferPointer<Float> {
        precondition(offset >= 0 && count >= 0 && offset + count <= buffer.count, "view out of range")
        return UnsafeMutableBufferPointer(start: start + offset, count: count)
    }

    deinit {
        UnsafeMutableRawPointer(start).deallocate()
    }
}
