import Foundation
import XCTest

/// The architecture as the package graph states it, checked on the sources: the executable only
/// parses commands (at most 1,500 lines, no C import), and no two folders of one target use each
/// other's types (a folder's types may be used from folders below it in the graph, never back).
final class LayoutTests: XCTestCase {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    func swiftFiles(_ target: String) throws -> [String: String] {
        let root = LayoutTests.sources.appendingPathComponent(target)
        let paths = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: root.path)).filter { $0.hasSuffix(".swift") }
        return try Dictionary(uniqueKeysWithValues: paths.map { ($0, try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)) })
    }

    func testTheExecutableOnlyParsesCommands() throws {
        let files = try swiftFiles("latentsim")
        let lines = files.values.reduce(0) { $0 + $1.split(separator: "\n", omittingEmptySubsequences: false).count }
        XCTAssertLessThanOrEqual(lines, 1500, "the executable holds \(lines) lines; stage logic belongs in the libraries")
        for (path, text) in files {
            for line in text.split(separator: "\n") where line.hasPrefix("import C") {
                XCTAssertFalse(["CMPI", "CHDF5", "CBLAS", "CCrypto"].contains(line.dropFirst(7).trimmingCharacters(in: .whitespaces)),
                               "\(path): \(line) — C calls belong in the libraries")
            }
        }
    }

    func testNoTwoFoldersOfATargetUseEachOther() throws {
        let targets = try FileManager.default.contentsOfDirectory(atPath: LayoutTests.sources.path)
        // Top-level types only: nested ones (a `Kind` inside two types) are named through their parent.
        let declaration = try NSRegularExpression(pattern: #"^(?:public |final |private |fileprivate |indirect )*(?:struct|class|enum|protocol|typealias)\s+(\w+)"#,
                                                  options: .anchorsMatchLines)
        var checkedFolders = 0
        for target in targets.sorted() {
            let files = try swiftFiles(target)
            let folder = { (path: String) in (path as NSString).deletingLastPathComponent }
            guard Set(files.keys.map(folder)).count > 1 else { continue }
            checkedFolders += Set(files.keys.map(folder)).count
            var owner: [String: String] = [:]
            for (path, text) in files {
                let range = NSRange(text.startIndex..., in: text)
                for match in declaration.matches(in: text, range: range) {
                    if let r = Range(match.range(at: 1), in: text), owner[String(text[r])] == nil { owner[String(text[r])] = folder(path) }
                }
            }
            var uses: [String: Set<String>] = [:]
            var example: [String: String] = [:]
            for (path, text) in files {
                let code = text.split(separator: "\n").map { $0.components(separatedBy: "//")[0] }.joined(separator: "\n")
                let words = Set(code.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
                for word in words { if let to = owner[word], to != folder(path) {
                    uses[folder(path), default: []].insert(to)
                    example["\(folder(path))→\(to)"] = "\(path) uses \(word)"
                } }
            }
            for (from, tos) in uses { for to in tos where uses[to]?.contains(from) == true {
                XCTFail("\(target): folders '\(from)' and '\(to)' use each other (\(example["\(from)→\(to)"] ?? ""); "
                        + "\(example["\(to)→\(from)"] ?? "")); move the shared piece below both")
            } }
        }
        XCTAssertGreaterThan(checkedFolders, 3, "the check saw no target with folders: the sources were not found")
    }
}
