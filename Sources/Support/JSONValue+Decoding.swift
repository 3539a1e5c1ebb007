import Foundation

/// Decodable values from JSONValue (the reading half of JSONValue+Encoding.swift): the readers of
/// manifest.json and of the checkpoint attributes that JSONDecoder used to read. Numbers convert
/// as JSONDecoder's did: an integer type takes an exact integer only, Float the nearest Float.
extension JSONValue {
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: ValueDecoder(value: self, codingPath: []))
    }

    /// Parses the text and decodes it.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try parse(text).decode(type)
    }

    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .number, .formatted: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

private func mismatch(_ wanted: Any.Type, _ value: JSONValue, _ path: [CodingKey]) -> DecodingError {
    .typeMismatch(wanted, .init(codingPath: path, debugDescription: "expected \(wanted), found \(value.kindName)"))
}

/// One Decodable leaf or nested value from `value`.
private func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, path: [CodingKey]) throws -> T {
    func number<F: BinaryFloatingPoint>(_: F.Type) throws -> F {
        guard let d = value.double else { throw mismatch(type, value, path) }
        return F(d)
    }
    func integer<I: FixedWidthInteger>(_: I.Type) throws -> I {
        if let u = value.uint64, let i = I(exactly: u) { return i }
        if let i = value.int, let exact = I(exactly: i) { return exact }
        if value.double != nil {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "number does not fit in \(type)"))
        }
        throw mismatch(type, value, path)
    }
    switch type {
    case is Double.Type: return try number(Double.self) as! T
    case is Float.Type: return try number(Float.self) as! T
    case is String.Type:
        guard let s = value.string else { throw mismatch(type, value, path) }
        return s as! T
    case is Bool.Type:
        guard let b = value.bool else { throw mismatch(type, value, path) }
        return b as! T
    case is Int.Type: return try integer(Int.self) as! T
    case is Int64.Type: return try integer(Int64.self) as! T
    case is Int32.Type: return try integer(Int32.self) as! T
    case is UInt64.Type: return try integer(UInt64.self) as! T
    case is UInt32.Type: return try integer(UInt32.self) as! T
    case is UInt.Type: return try integer(UInt.self) as! T
    default: return try T(from: ValueDecoder(value: value, codingPath: path))
    }
}

struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let members = value.members else { throw mismatch([String: Any].self, value, codingPath) }
        return KeyedDecodingContainer(KeyedDecoder<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([Any].self, value, codingPath) }
        return UnkeyedDecoder(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleDecoder(value: value, codingPath: codingPath) }
}

struct KeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [(key: String, value: JSONValue)]
    let codingPath: [CodingKey]

    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }
    func contains(_ key: Key) -> Bool { members.contains { $0.key == key.stringValue } }

    func member(_ key: Key) throws -> JSONValue {
        guard let value = members.last(where: { $0.key == key.stringValue })?.value else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no member '\(key.stringValue)'"))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key) == .null }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try Support.decode(type, from: try member(key), path: codingPath + [key])
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: try member(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try ValueDecoder(value: try member(key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    func superDecoder() throws -> Decoder {
        ValueDecoder(value: members.last { $0.key == "super" }?.value ?? .null, codingPath: codingPath)
    }
    func superDecoder(forKey key: Key) throws -> Decoder { ValueDecoder(value: try member(key), codingPath: codingPath + [key]) }
}

struct UnkeyedDecoder: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSONValue], codingPath: [CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    mutating func next(_ type: Any.Type) throws -> (JSONValue, [CodingKey]) {
        let path = codingPath + [IndexKey(intValue: currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: path, debugDescription: "the array has only \(items.count) items"))
        }
        currentIndex += 1
        return (items[currentIndex - 1], path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next(type)
        return try Support.decode(type, from: value, path: path)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try next([String: Any].self)
        return try ValueDecoder(value: value, codingPath: path).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let (value, path) = try next([Any].self)
        return try ValueDecoder(value: value, codingPath: path).unkeyedContainer()
    }
    mutating func superDecoder() throws -> Decoder {
        let (value, path) = try next(Any.self)
        return ValueDecoder(value: value, codingPath: path)
    }
}

struct SingleDecoder: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [CodingKey]

    func decodeNil() -> Bool { value == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try Support.decode(type, from: value, path: codingPath) }
}
