
/// Unquoted values: booleans, integers (decimal with `_` separators and a sign; 0x, 0o, 0b) and
/// floats (`1.0`, `1e-4`, `6.5E+3`, `inf`, `nan`). Anything else is named and rejected.
extension TOMLParser {
    mutating func scalar(for key: String) throws -> TOMLValue {
        let start = pos
        while let c = peek, !TOMLParser.endsToken(c) { pos += 1 }
        let token = String(String.UnicodeScalarView(chars[start..<pos]))
        guard !token.isEmpty else { throw error("expected a value for key '\(key)', found \(found)") }
        switch token {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "True", "TRUE", "False", "FALSE":
            throw error("invalid value '\(token)' for key '\(key)'; booleans are lowercase: true or false")
        default: break
        }
        if TOMLParser.looksLikeDate(token) {
            throw error("dates and times are not supported in job files; quote '\(token)' to make it a string")
        }
        guard let first = token.unicodeScalars.first,
              ("0"..."9").contains(first) || "+-.".unicodeScalars.contains(first)
              || token == "inf" || token == "nan" else {
            throw error("invalid value '\(token)' for key '\(key)'; strings need quotes: \"\(token)\"")
        }
        return try number(token)
    }

    private static func endsToken(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case " ", "\t", "\n", "\r", ",", "]", "}", "#": return true
        default: return false
        }
    }

    private static func looksLikeDate(_ token: String) -> Bool {
        let s = Array(token.unicodeScalars)
        func digit(_ i: Int) -> Bool { i < s.count && ("0"..."9").contains(s[i]) }
        let isDate = s.count >= 10 && (0..<4).allSatisfy(digit) && s[4] == "-" && digit(5) && digit(6) && s[7] == "-"
        let isTime = s.count >= 5 && digit(0) && digit(1) && s[2] == ":" && digit(3) && digit(4)
        return isDate || isTime
    }

    private func number(_ token: String) throws -> TOMLValue {
        switch token {
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan": return .float(.nan)
        case "-nan": return .float(-Double.nan)
        default: break
        }
        func invalid(_ hint: String = "") -> InputError { error("invalid number '\(token)'" + hint) }
        var s = Substring(token)
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where s.hasPrefix(prefix) {
            guard let digits = TOMLParser.digits(s.dropFirst(2), radix: radix) else { throw invalid() }
            guard let magnitude = UInt64(digits, radix: radix), magnitude <= UInt64(Int64.max) else {
                throw error("integer '\(token)' is out of range (64-bit signed)")
            }
            return .integer(Int64(magnitude))
        }
        var text = ""
        if s.first == "+" || s.first == "-" {
            if s.first == "-" { text = "-" }
            s = s.dropFirst()
            if s.hasPrefix("0x") || s.hasPrefix("0o") || s.hasPrefix("0b") {
                throw invalid(" (hexadecimal, octal and binary integers take no sign)")
            }
        }
        let exponentAt = s.firstIndex { $0 == "e" || $0 == "E" }
        let mantissa = exponentAt.map { s[..<$0] } ?? s
        let dot = mantissa.firstIndex(of: ".")
        let integerPart = dot.map { mantissa[..<$0] } ?? mantissa
        guard let integerDigits = TOMLParser.digits(integerPart) else {
            throw invalid(integerPart.isEmpty && dot != nil ? " (write a digit before the point, e.g. 0.5)" : "")
        }
        if integerDigits.count > 1 && integerDigits.hasPrefix("0") { throw invalid(" (leading zeros are not allowed)") }
        text += integerDigits
        if let dot {
            let fraction = mantissa[mantissa.index(after: dot)...]
            guard let digits = TOMLParser.digits(fraction) else {
                throw invalid(fraction.isEmpty ? " (write a digit after the point, e.g. 1.0)" : "")
            }
            text += "." + digits
        }
        if let exponentAt {
            var exponent = s[s.index(after: exponentAt)...]
            var sign = ""
            if exponent.first == "+" || exponent.first == "-" {
                sign = exponent.first == "-" ? "-" : ""
                exponent = exponent.dropFirst()
            }
            guard let digits = TOMLParser.digits(exponent) else { throw invalid() }
            text += "e" + sign + digits
        }
        if dot == nil && exponentAt == nil {
            guard let value = Int64(text) else { throw error("integer '\(token)' is out of range (64-bit signed)") }
            return .integer(value)
        }
        guard let value = Double(text), value.isFinite else { throw error("float '\(token)' is out of range") }
        return .float(value)
    }

    /// The digits of `s` without its `_` separators; nil unless every `_` sits between two digits.
    private static func digits(_ s: Substring, radix: Int = 10) -> String? {
        var out = ""
        var previousWasDigit = false
        for c in s {
            if c == "_" {
                guard previousWasDigit else { return nil }
                previousWasDigit = false
                continue
            }
            guard c.isASCII, c.hexDigitValue.map({ $0 < radix }) == true else { return nil }
            out.append(c)
            previousWasDigit = true
        }
        return previousWasDigit ? out : nil
    }
}
