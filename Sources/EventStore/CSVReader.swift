import Comm
import Foundation
import Support

/// CSV import: a header row of column names, then one event per line, comma-separated numbers.
/// Every rank finds the line boundaries (cheap) but parses only its own share of rows; parse
/// errors are agreed so the first bad line in file order is the one reported.
enum CSVReader {
    /// `maxRows` keeps only the first rows of the file (all of them by default); the result's layout
    /// still counts every row of the file.
    static func read(path: String, nonFinite: NonFinitePolicy, maxRows: Int = .max,
                     comm: Communicator) throws -> EventReader.Result {
        let (bytes, header, lines) = try comm.agree { () -> ([UInt8], [String], [Range<Int>]) in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw InputError("input file '\(path)' is not readable; check its permissions", exitCode: ExitStatus.noInput)
            }
            let bytes = [UInt8](data)
            var lines = lineRanges(bytes)
            guard !lines.isEmpty else {
                throw InputError("'\(path)' is empty; expected a header row of column names, then one event per line")
            }
            let header = cells(bytes, lines.removeFirst()).map(unquote)
            if header.contains(where: { $0.isEmpty }) {
                throw InputError("'\(path)' line 1: the header has an empty column name; name every column")
            }
            if header.allSatisfy({ Double($0) != nil }) {
                throw InputError("'\(path)' line 1: expected a header row of column names, found numbers; "
                                 + "add a header row")
            }
            try EventReader.checkUnique(header, place: "'\(path)' header")
            return (bytes, header, lines)
        }
        let layout = TableLayout(kind: .csv, path: path, dataset: "", columns: header, rows: lines.count, storage: "text")
        let used = layout.limited(to: maxRows)
        let share = comm.share(of: used.rows)
        let values = try comm.agree { try parse(bytes, lines: Array(lines[share]), firstRow: share.lowerBound, layout: layout) }
        let table = EventTable(columns: header, rows: share.count, values: values, firstRow: share.lowerBound)
        var result = try EventReader.finish(table: table, layout: used, nonFinite: nonFinite, comm: comm)
        result.layout = layout
        return result
    }

    /// Byte ranges of the non-empty lines (without the line break; CRLF tolerated).
    static func lineRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        bytes.withUnsafeBufferPointer { b in
            for i in 0...b.count {
                if i == b.count || b[i] == UInt8(ascii: "\n") {
                    var end = i
                    if end > start && b[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    let blank = (start..<end).allSatisfy { b[$0] == UInt8(ascii: " ") || b[$0] == UInt8(ascii: "\t") }
                    if !blank { result.append(start..<end) }
                    start = i + 1
                }
            }
        }
        return result
    }

    static func cells(_ bytes: [UInt8], _ line: Range<Int>) -> [String] {
        String(decoding: bytes[line], as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func unquote(_ s: String) -> String {
        s.count >= 2 && s.hasPrefix("\"") && s.hasSuffix("\"") ? String(s.dropFirst().dropLast()) : s
    }

    private static func parse(_ bytes: [UInt8], lines: [Range<Int>], firstRow: Int, layout: TableLayout) throws -> [Float] {
        let width = layout.columns.count
        var values = [Float](repeating: 0, count: lines.count * width)
        for (r, line) in lines.enumerated() {
            let row = cells(bytes, line)
            let where_ = EventReader.location(layout, row: firstRow + r)
            guard row.count == width else {
                throw InputError("\(where_): expected \(width) cells as in the header, found \(row.count); "
                                 + "fix the row or remove it")
            }
            for (j, cell) in row.enumerated() {
                guard let v = parseNumber(cell) else {
                    throw InputError("\(where_), column '\(layout.columns[j])': expected a number, found '\(cell)'; "
                                     + "fix the cell")
                }
                values[r * width + j] = v
            }
        }
        return values
    }

    /// Decimal numbers, plus nan/inf spellings (those are then subject to the non-finite policy).
    static func parseNumber(_ cell: String) -> Float? {
        if let d = Double(cell) { return Float(d) }
        switch cell.lowercased() {
        case "nan": return .nan
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return nil
        }
    }
}
