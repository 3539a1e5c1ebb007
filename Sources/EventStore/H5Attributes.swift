import CHDF5
import Comm
import Foundation
import Support

/// Values latentsim stores as attributes.
public enum AttributeValue: Equatable, Sendable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case strings([String])

    public var description: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .strings(let list): return list.joined(separator: ",")
        }
    }
}

/// Reading and writing attributes of a file, group or dataset identifier.
enum H5Attributes {
    static func exists(_ object: hid_t, _ name: String) -> Bool {
        H5Aexists(object, name) > 0
    }

    /// Variable-length UTF-8 string memory type.
    private static func vlenStringType() throws -> H5ID {
        let type = try H5ID.make(H5Tcopy(ls_h5t_c_s1()), "H5Tcopy(H5T_C_S1)", close: H5Tclose)
        try HDF5.check(H5Tset_size(type.id, ls_h5t_variable()), "H5Tset_size")
        try HDF5.check(H5Tset_cset(type.id, H5T_CSET_UTF8), "H5Tset_cset")
        return type
    }

    /// Reads a string or list-of-strings attribute, variable- or fixed-length; nil if it is not a string.
    static func readStrings(_ object: hid_t, _ name: String) throws -> [String]? {
        let attr = try H5ID.make(H5Aopen(object, name, ls_h5p_default()), "H5Aopen('\(name)')", close: H5Aclose)
        let fileType = try H5ID.make(H5Aget_type(attr.id), "H5Aget_type('\(name)')", close: H5Tclose)
        guard H5Tget_class(fileType.id) == H5T_STRING else { return nil }
        let space = try H5ID.make(H5Aget_space(attr.id), "H5Aget_space('\(name)')", close: H5Sclose)
        let count = Int(try HDF5.check(H5Sget_simple_extent_npoints(space.id), "H5Sget_simple_extent_npoints"))
        if H5Tis_variable_str(fileType.id) > 0 {
            let memType = try vlenStringType()
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: max(count, 1))
            try HDF5.check(H5Aread(attr.id, memType.id, &pointers), "H5Aread('\(name)')")
            let strings = pointers.prefix(count).map { $0.map { String(cString: $0) } ?? "" }
            _ = H5Dvlen_reclaim(memType.id, space.id, ls_h5p_default(), &pointers)
            return strings
        }
        let size = H5Tget_size(fileType.id)
        let memType = try H5ID.make(H5Tcopy(ls_h5t_c_s1()), "H5Tcopy(H5T_C_S1)", close: H5Tclose)
        try HDF5.check(H5Tset_size(memType.id, size), "H5Tset_size")
        var bytes = [CChar](repeating: 0, count: size * max(count, 1))
        try HDF5.check(H5Aread(attr.id, memType.id, &bytes), "H5Aread('\(name)')")
        return (0..<count).map { i in
            let slice = bytes[(i * size)..<((i + 1) * size)].map { UInt8(bitPattern: $0) }
            let trimmed = slice.prefix { $0 != 0 }
            return String(decoding: trimmed, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
    }

    /// Every attribute of `object` with a value latentsim understands (strings and integers).
    static func readAll(_ object: hid_t) throws -> [(String, AttributeValue)] {
        var info = H5O_info_t()
        try HDF5.check(H5Oget_info2(object, &info, UInt32(H5O_INFO_NUM_ATTRS)), "H5Oget_info2")
        var result: [(String, AttributeValue)] = []
        for i in 0..<info.num_attrs {
            let length = try HDF5.check(H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0,
                                                           ls_h5p_default()), "H5Aget_name_by_idx")
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            try HDF5.check(H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, buffer.count,
                                              ls_h5p_default()), "H5Aget_name_by_idx")
            let name = String(cString: buffer)
            if let strings = try readStrings(object, name) {
                result.append((name, strings.count == 1 ? .string(strings[0]) : .strings(strings)))
            } else if let value = try readInt(object, name) {
                result.append((name, .int(value)))
            }
        }
        return result
    }

    static func readInt(_ object: hid_t, _ name: String) throws -> Int64? {
        let attr = try H5ID.make(H5Aopen(object, name, ls_h5p_default()), "H5Aopen('\(name)')", close: H5Aclose)
        let fileType = try H5ID.make(H5Aget_type(attr.id), "H5Aget_type('\(name)')", close: H5Tclose)
        let space = try H5ID.make(H5Aget_space(attr.id), "H5Aget_space('\(name)')", close: H5Sclose)
        guard H5Tget_class(fileType.id) == H5T_INTEGER,
              try HDF5.check(H5Sget_simple_extent_npoints(space.id), "H5Sget_simple_extent_npoints") == 1 else { return nil }
        var value: Int64 = 0
        try HDF5.check(H5Aread(attr.id, ls_h5t_native_int64(), &value), "H5Aread('\(name)')")
        return value
    }

    /// Writes (collectively, under MPI-IO: every rank with the same value) one attribute.
    static func write(_ object: hid_t, _ name: String, _ value: AttributeValue) throws {
        switch value {
        case .int(let number):
            let space = try H5ID.make(H5Screate(H5S_SCALAR), "H5Screate", close: H5Sclose)
            let attr = try H5ID.make(H5Acreate2(object, name, ls_h5t_std_i64le(), space.id, ls_h5p_default(),
                                                ls_h5p_default()), "H5Acreate2('\(name)')", close: H5Aclose)
            var v = number
            try HDF5.check(H5Awrite(attr.id, ls_h5t_native_int64(), &v), "H5Awrite('\(name)')")
        case .string(let text):
            try writeStrings(object, name, [text], scalar: true)
        case .strings(let list):
            try writeStrings(object, name, list, scalar: false)
        }
    }

    private static func writeStrings(_ object: hid_t, _ name: String, _ list: [String], scalar: Bool) throws {
        let type = try vlenStringType()
        var dims = [UInt64(list.count)]
        let space = try H5ID.make(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil),
                                  "H5Screate", close: H5Sclose)
        let attr = try H5ID.make(H5Acreate2(object, name, type.id, space.id, ls_h5p_default(), ls_h5p_default()),
                                 "H5Acreate2('\(name)')", close: H5Aclose)
        let cStrings = list.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers = cStrings.map { UnsafePointer<CChar>($0) }
        try HDF5.check(H5Awrite(attr.id, type.id, &pointers), "H5Awrite('\(name)')")
    }
}
