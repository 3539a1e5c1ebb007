import Comm
import EventStore
import Foundation
import NN
import Support
import Training

/// The writer thread of `latentsim generate`'s shards layout: writes each chunk into its shard
/// file and hashes finished shards while the calling thread computes the next chunk, so on a
/// rank with a spare core the HDF5 write and the SHA-256 cost no generation time.
///
/// Double buffering: `slots` chunk buffers cycle between the two threads (the caller fills a
/// free one, the writer writes it and hands it back); nothing is allocated per chunk. A shard is
/// written under its temporary name and renamed by `finish`, as before; its checksum is computed
/// afterwards from the file, one 128 KiB piece at a time whenever no write is waiting, so hashing
/// shard k overlaps the writes of shard k+1 instead of stalling them.
///
/// Threads: while the writer lives, every HDF5 call of these shards runs on it and the caller
/// must make none (the library is not thread-safe); the writer makes no MPI call (MPI runs
/// FUNNELED). Errors: the first failure is kept, the shard being written is discarded (its
/// temporary file removed, nothing renamed), later jobs are skipped, and the caller's next
/// `slot`, `begin` or `close` rethrows it — inside the caller's collective agreement, so every
/// rank exits with the same one-line message.
public final class ShardWriter {
    public struct Shard {
        public let index: Int
        public let path: String
        public let columns: [String]
        public let rows: Int
        public let attributes: [(String, AttributeValue)]
    }

    private enum Job {
        case open(Shard)
        case write(slot: Int, rows: Range<Int>)
        case commit
        case abandon
    }

    /// Bytes hashed per piece: 128 KiB take about 1 ms (this SHA-256 runs ≈ 130 MB/s), less than
    /// one chunk's compute, so a write never waits long behind a piece.
    public static let hashPiece = 1 << 17

    public let width: Int
    public let chunk: Int
    /// Writer-thread CPU time of writes and checksums (benchmark breakdown), when set before `start`.
    public let stages: GenerationStages?
    private let slots: [FloatStorage]
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var free: [Int]
    private var failure: Error?
    private var closing = false
    private var finished = false
    private var started = false
    private var hashes: [Int: String] = [:]
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ShardWriter.hashPiece, alignment: 64)

    public init(width: Int, chunk: Int, slots count: Int = 2, stages: GenerationStages? = nil) {
        precondition(width > 0 && chunk > 0 && count > 0, "ShardWriter needs a positive width, chunk and slot count")
        self.width = width
        self.chunk = chunk
        self.stages = stages
        slots = (0..<count).map { _ in FloatStorage(count: chunk * width) }
        free = Array(0..<count)
        jobs.reserveCapacity(count + 8)
    }

    deinit { readBuffer.deallocate() }

    public func start() {
        started = true
        let thread = Thread { [self] in run() }
        thread.name = "latentsim-shard-writer"
        thread.start()
    }

    /// Starts shard `shard` (its rows follow with `slot`/`submit`, then `finish`).
    public func begin(_ shard: Shard) throws {
        try enqueue(.open(shard))
    }

    /// Waits for a free chunk buffer (`chunk × width` floats); rethrows the writer's failure.
    public func slot() throws -> (Int, UnsafeMutableBufferPointer<Float>) {
        condition.lock()
        defer { condition.unlock() }
        while failure == nil && free.isEmpty { condition.wait() }
        if let failure { throw failure }
        let s = free.removeLast()
        return (s, slots[s].buffer)
    }

    /// Hands a filled buffer over: rows `rows` of the current shard (local to its file).
    public func submit(slot: Int, rows: Range<Int>) throws {
        precondition(rows.count <= chunk, "a chunk holds at most \(chunk) rows")
        try enqueue(.write(slot: slot, rows: rows))
    }

    /// Commits the current shard (rename into place), then queues its checksum.
    public func finish() throws { try enqueue(.commit) }

    /// Drops the current shard (the caller failed mid-shard): its temporary file is removed.
    public func abandon() {
        condition.lock()
        jobs.append(.abandon)
        condition.signal()
        condition.unlock()
    }

    /// Waits until every queued job and checksum is done and the thread has ended; returns the
    /// checksums by shard index, or throws the first failure. Safe to call again (then a no-op).
    @discardableResult
    public func close() throws -> [Int: String] {
        condition.lock()
        defer { condition.unlock() }
        closing = true
        condition.broadcast()
        while started && !finished { condition.wait() }
        if let failure { throw failure }
        return hashes
    }

    private func enqueue(_ job: Job) throws {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        jobs.append(job)
        condition.signal()
    }

    // MARK: writer thread

    private func run() {
        var stream: EventStream?
        var current: Shard?
        var digests: [(Int, SHA256.FileDigest)] = []
        while true {
            condition.lock()
            while jobs.isEmpty && digests.isEmpty && !closing { condition.wait() }
            if jobs.isEmpty && digests.isEmpty { break }    // closing, nothing left (still locked)
            let job = jobs.isEmpty ? nil : jobs.removeFirst()
            let skip = failure != nil
            condition.unlock()
            var released: Int?
            var error: Error?
            do {
                switch job {
                case .open(let shard)?:
                    if !skip {
                        current = shard
                        stream = try EventStream(path: shard.path, columns: shard.columns, rows: shard.rows,
                                                 attributes: shard.attributes, comm: nil)
                    }
                case let .write(slot, rows)?:
                    released = slot
                    if !skip, let stream {
                        stages?.start()
                        try stream.write(UnsafeBufferPointer(slots[slot].view(0, rows.count * width)), rows: rows)
                        stages?.lap(.write)
                    }
                case .commit?:
                    if !skip, let open = stream, let shard = current {
                        stream = nil
                        do { try open.commit() } catch {
                            open.discard()
                            throw error
                        }
                        digests.append((shard.index, try SHA256.FileDigest(path: shard.path)))
                    }
                case .abandon?:
                    stream?.discard()
                    stream = nil
                case nil:
                    // No job waiting: one piece of the oldest pending checksum.
                    if skip { digests.removeAll() } else {
                        stages?.start()
                        let digest = try digests[0].1.step(readBuffer)
                        stages?.lap(.hash)
                        if let digest {
                            let index = digests.removeFirst().0
                            condition.lock()
                            hashes[index] = digest
                            condition.unlock()
                        }
                    }
                }
            } catch let caught {
                error = caught
                stream?.discard()
                stream = nil
                digests.removeAll()
            }
            condition.lock()
            if let released { free.append(released) }
            if let error, failure == nil { failure = error }
            condition.broadcast()
            condition.unlock()
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
