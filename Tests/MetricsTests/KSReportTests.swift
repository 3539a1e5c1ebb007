import Foundation
import XCTest
@testable import Metrics

final class KSReportTests: XCTestCase {
    private func sample() throws -> KSReport {
        try KSReport(rows: [
            .init(name: "pt_lead", statistic: 0.0123, pValue: 0.456),
            .init(name: "eta", statistic: 0.5, pValue: 1.5e-30),
            .init(name: "m_ll", statistic: 0.25),
        ])
    }

    func testSumOverNamesKeepsOnlyTheNamedColumns() throws {
        let report = try sample()
        XCTAssertEqual(try report.sum(over: ["eta", "m_ll"]), 0.75)
        XCTAssertEqual(try report.sum(over: []), 0)
        XCTAssertEqual(report.total, 0.7623, accuracy: 1e-15)
        XCTAssertEqual(report.names, ["pt_lead", "eta", "m_ll"])
    }

    func testUnknownNameErrorTextIsPinned() throws {
        let report = try sample()
        XCTAssertThrowsError(try report.sum(over: ["eta", "phi"])) { error in
            XCTAssertEqual(error as? MetricsError, .unknownColumn(name: "phi", available: ["pt_lead", "eta", "m_ll"]))
            XCTAssertEqual("\(error)", "unknown column 'phi' in KS report; available: pt_lead, eta, m_ll")
        }
        XCTAssertEqual("\(MetricsError.unknownColumn(name: "x", available: []))",
                       "unknown column 'x' in KS report; available: (none)")
    }

    func testDuplicateNamesAreRejected() {
        XCTAssertThrowsError(try KSReport(rows: [.init(name: "a", statistic: 0), .init(name: "a", statistic: 1)])) {
            XCTAssertEqual("\($0)", "column 'a' appears twice in KS report")
        }
    }

    func testFormattedTableIsFixedWidth() throws {
        let expected = """
            column   statistic    p-value
            -------  ---------  ---------
            pt_lead   0.012300  4.560e-01
            eta       0.500000  1.500e-30
            m_ll      0.250000          -
            -------  ---------
            sum       0.762300

            """
        XCTAssertEqual(try sample().formattedTable(), expected)
    }

    func testJSONIsNameToStatistic() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(try sample())
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"{"eta":0.5,"m_ll":0.25,"pt_lead":0.0123}"#)
        let decoded = try JSONDecoder().decode(KSReport.self, from: data)
        XCTAssertEqual(decoded.names, ["eta", "m_ll", "pt_lead"])
        XCTAssertEqual(try decoded.row(named: "pt_lead"), .init(name: "pt_lead", statistic: 0.0123))
    }

    func testBuildFromColumnsMatchesPerColumnTests() throws {
        let reference: [[Double]] = [[1, 2, 3, 4, 5], [0, 0, 1, 1]]
        let candidate: [[Double]] = [[2, 3, 4, 5, 6, 7], [1, 1, 1]]
        let full = try KSReport(names: ["a", "b"], reference: reference, candidate: candidate)
        let cheap = try KSReport(names: ["a", "b"], reference: reference, candidate: candidate, pValues: false)
        for (k, name) in ["a", "b"].enumerated() {
            let t = try KolmogorovSmirnov.test(reference[k], candidate[k])
            XCTAssertEqual(try full.row(named: name), .init(name: name, statistic: t.statistic, pValue: t.pValue))
            XCTAssertEqual(try cheap.row(named: name).statistic, t.statistic, accuracy: 1e-15)
            XCTAssertNil(try cheap.row(named: name).pValue)
        }
        XCTAssertThrowsError(try KSReport(names: ["a"], reference: [[1]], candidate: [[]])) {
            XCTAssertEqual("\($0)",
                           "candidate 'a' sample is empty; a two-sample statistic needs at least one value in each sample")
        }
        XCTAssertThrowsError(try KSReport(names: ["a", "b"], reference: [[1]], candidate: [[1]]))
    }
}
