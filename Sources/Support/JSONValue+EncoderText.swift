import Foundation

/// The text Foundation's JSONEncoder writes, for the files and checkpoint attributes it used to
/// write (result.json, manifest.json, the reducer's and generator's JSON attributes), so they keep
/// their bytes: no spaces (`encoderText`) or its `.prettyPrinted` layout (`encoderPrettyText`:
/// two-space indent, " : ", an empty container as "[", blank line, "]"), and its escapes ("/" as
/// "\/", \b and \f by name). Members are written in the value's order (JSONValue(encoding:)
/// sorts them by name, as `.sortedKeys` did); a `.number` is written as JSONEncoder wrote a
/// Double (no trailing ".0").
extension JSONValue {
    public var encoderText: String {
        var out = ""
        writeEncoderText(to: &out, indent: nil)
        return out
    }

    public var encoderPrettyText: String {
        var out = ""
        writeEncoderText(to: &out, indent: 0)
        return out
    }

    private func writeEncoderText(to out: inout String, indent: Int?) {
        func newline(_ level: Int) { out += "\n" + String(repeating: "  ", count: level) }
        switch self {
        case .string(let s): out += JSONValue.quoted(s, encoderStyle: true)
        case .number(let d):
            let text = d.isFinite ? d.description : "null"
            out += text.hasSuffix(".0") ? String(text.dropLast(2)) : text
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                if let indent { newline(indent + 1) }
                item.writeEncoderText(to: &out, indent: indent.map { $0 + 1 })
            }
            if let indent { if items.isEmpty { out += "\n" }; newline(indent) }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { out += "," }
                if let indent { newline(indent + 1) }
                out += JSONValue.quoted(member.key, encoderStyle: true) + (indent == nil ? ":" : " : ")
                member.value.writeEncoderText(to: &out, indent: indent.map { $0 + 1 })
            }
            if let indent { if members.isEmpty { out += "\n" }; newline(indent) }
            out += "}"
        default: out += serialized
        }
    }

}
