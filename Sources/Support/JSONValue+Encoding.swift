import Foundation

/// Codable values through JSONValue: `JSONValue(encoding:)` builds the ordered value of any
/// Encodable (object members in name order, as JSONEncoder's `.sortedKeys`), `decode(_:)` reads
/// one back (JSONValue+Decoding.swift). Files and checkpoint attributes that used to go through
/// JSONEncoder/JSONDecoder keep their text: numbers take the digits JSONEncoder gave them (Swift's
/// shortest round-trip form, "12" for 12.0, a Float's own digits), and `encoderText` /
/// `encoderPrettyText` write its separators and escapes.
extension JSONValue {
    public init<T: Encodable>(encoding value: T) throws {
        let box = EncodingBox()
        try value.encode(to: ValueEncoder(box: box, codingPath: []))
        self = box.value
    }

    /// A floating-point number as JSONEncoder wrote it: shortest round-trip digits without a
    /// trailing ".0"; non-finite values are an error, as they were.
    static func encoderNumber<F: BinaryFloatingPoint & LosslessStringConvertible>(_ x: F, _ path: [CodingKey]) throws -> JSONValue {
        guard x.isFinite else {
            throw EncodingError.invalidValue(x, .init(codingPath: path, debugDescription: "\(x) is not representable in JSON"))
        }
        let text = x.description
        return .formatted(text.hasSuffix(".0") ? String(text.dropLast(2)) : text)
    }
}

/// Where one encoded value goes: a leaf, or the members/items that containers keep adding to.
final class EncodingBox {
    var leaf: JSONValue?
    var members: [(key: String, box: EncodingBox)]?
    var items: [EncodingBox]?

    var value: JSONValue {
        if let members {
            return .object(members.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.box.value) })
        }
        if let items { return .array(items.map(\.value)) }
        return leaf ?? .object([])  // JSONEncoder writes {} for a value that encodes nothing
    }

    /// The box of member `key`, replacing an earlier one of the same name.
    func member(_ key: String) -> EncodingBox {
        if members == nil { members = [] }
        let box = EncodingBox()
        if let i = members!.firstIndex(where: { $0.key == key }) { members![i].box = box } else { members!.append((key, box)) }
        return box
    }

    func item() -> EncodingBox {
        if items == nil { items = [] }
        let box = EncodingBox()
        items!.append(box)
        return box
    }
}

struct ValueEncoder: Encoder {
    let box: EncodingBox
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if box.members == nil { box.members = [] }
        return KeyedEncodingContainer(KeyedEncoder<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if box.items == nil { box.items = [] }
        return UnkeyedEncoder(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleEncoder(box: box, codingPath: codingPath) }
}

/// The JSONValue of one Encodable leaf or nested value, placed in `box`.
private func encode<T: Encodable>(_ value: T, into box: EncodingBox, path: [CodingKey]) throws {
    switch value {
    case let x as Double: box.leaf = try JSONValue.encoderNumber(x, path)
    case let x as Float: box.leaf = try JSONValue.encoderNumber(x, path)
    case let x as String: box.leaf = .string(x)
    case let x as Bool: box.leaf = .bool(x)
    case let x as UInt64: box.leaf = .unsigned(x)
    case let x as UInt: box.leaf = .unsigned(UInt64(x))
    case let x as any FixedWidthInteger: box.leaf = .integer(Int(x))
    default: try value.encode(to: ValueEncoder(box: box, codingPath: path))
    }
}

struct KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: EncodingBox
    let codingPath: [CodingKey]

    mutating func encodeNil(forKey key: Key) throws { box.member(key.stringValue).leaf = .null }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try Support.encode(value, into: box.member(key.stringValue), path: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey> {
        ValueEncoder(box: box.member(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        ValueEncoder(box: box.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> Encoder { ValueEncoder(box: box.member("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> Encoder {
        ValueEncoder(box: box.member(key.stringValue), codingPath: codingPath + [key])
    }
}

struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { return nil }
}

struct UnkeyedEncoder: UnkeyedEncodingContainer {
    let box: EncodingBox
    let codingPath: [CodingKey]
    var count: Int { box.items?.count ?? 0 }

    mutating func encodeNil() throws { box.item().leaf = .null }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath + [IndexKey(intValue: count)]
        try Support.encode(value, into: box.item(), path: path)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = codingPath + [IndexKey(intValue: count)]
        return ValueEncoder(box: box.item(), codingPath: path).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let path = codingPath + [IndexKey(intValue: count)]
        return ValueEncoder(box: box.item(), codingPath: path).unkeyedContainer()
    }
    mutating func superEncoder() -> Encoder {
        let path = codingPath + [IndexKey(intValue: count)]
        return ValueEncoder(box: box.item(), codingPath: path)
    }
}

struct SingleEncoder: SingleValueEncodingContainer {
    let box: EncodingBox
    let codingPath: [CodingKey]

    mutating func encodeNil() throws { box.leaf = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { try Support.encode(value, into: box, path: codingPath) }
}
