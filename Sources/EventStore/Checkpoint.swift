import CHDF5
import Comm
import Foundation
import Support

/// A model checkpoint: named float32 buffers (parameters, optimizer state, …) and string/integer
/// attributes (architecture, preprocessing, configuration, step, RNG state) in one HDF5 file,
/// written by one process under a temporary name and renamed into place.
public struct Checkpoint: Sendable, Equatable {
    public var attributes: [String: AttributeValue]
    public var buffers: [String: [Float]]

    public init(attributes: [String: AttributeValue] = [:], buffers: [String: [Float]] = [:]) {
        self.attributes = attributes
        self.buffers = buffers
    }

    public func string(_ name: String) throws -> String {
        guard case .string(let s)? = attributes[name] else { throw missing(name, "string attribute") }
        return s
    }

    public func int(_ name: String) throws -> Int64 {
        guard case .int(let i)? = attributes[name] else { throw missing(name, "integer attribute") }
        return i
    }

    public func buffer(_ name: String, count: Int? = nil) throws -> [Float] {
        guard let b = buffers[name] else { throw missing(name, "dataset") }
        if let count, b.count != count {
            throw InputError("checkpoint dataset '\(name)' holds \(b.count) values but the model needs \(count); "
                             + "the checkpoint belongs to a different architecture")
        }
        return b
    }

    private func missing(_ name: String, _ what: String) -> InputError {
        InputError("checkpoint has no \(what) '\(name)'; it is incomplete or from another latentsim version")
    }

    /// Writes to `path` atomically (rank-local: call it on one rank).
    public func write(to path: String) throws {
        let output = OutputPath(path)
        try output.prepare()
        do {
            // No modification times: the same model gives the same bytes (a resumed run's snapshots,
            // best model and the shards generated from it match an uninterrupted run's).
            let file = try H5File.create(output.temporary, comm: nil, reproducible: true)
            for name in attributes.keys.sorted() { try H5Attributes.write(file.id, name, attributes[name]!) }
            for name in buffers.keys.sorted() {
                let values = buffers[name]!
                let ds = try H5Dataset.create(in: file, name: name, dims: [UInt64(values.count)],
                                              fileType: ls_h5t_ieee_f32le(), memoryType: ls_h5t_native_float(),
                                              values: values)
                try ds.close()
            }
            try file.close()
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
    }

    /// Reads every attribute and every 1-D float dataset at the root of `path`.
    public static func read(from path: String) throws -> Checkpoint {
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError("checkpoint '\(path)' does not exist; check the run directory", exitCode: ExitStatus.noInput)
        }
        guard H5File.isHDF5(path) else {
            throw InputError("checkpoint '\(path)' is not an HDF5 file; it is damaged or not a latentsim checkpoint",
                             exitCode: ExitStatus.noInput)
        }
        let file = try H5File.open(path, comm: nil)
        var result = Checkpoint()
        for (name, value) in try H5Attributes.readAll(file.id) { result.attributes[name] = value }
        for name in try file.members(of: "/") where try file.kind(of: name) == .dataset {
            let ds = try H5Dataset(file: file, name: name)
            let n = Int(try ds.dims.first ?? 0)
            result.buffers[name] = try ds.readFloats(rows: 0..<n, collective: false)
        }
        return result
    }
}
