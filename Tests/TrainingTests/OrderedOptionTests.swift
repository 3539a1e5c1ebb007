import EventStore
import XCTest
@testable import Support
@testable import Training

/// The `ordered` option of reduce and a full-space ensemble: where its step goes, how it finds
/// the jet columns of a table with its own names ([roles]), and every misuse refused with one line.
final class OrderedOptionTests: XCTestCase {
    static let jets = ["jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt"]
    static let features = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_pz", "jet1_pt", "jet2_pt", "jet3_pt",
                           "jet4_pt", "jet5_pt"]

    /// The step follows the pair mass and precedes the quantile step (which then maps the ratios);
    /// roles name a table's own columns; the JobConfig option reaches the representation.
    func testStepOrderRolesAndJobOption() throws {
        var r = Representation(quantile: Self.jets, pairMass: ["mu1", "mu2"])
        r.ordered = Self.jets
        let steps = try r.steps(features: Self.features, integers: [], dropped: "mu2_py")
        XCTAssertEqual(steps.map(\.kind), [.pairMass, .ordered, .quantile, .standardize])
        XCTAssertEqual(steps[1].columns, Self.jets)
        XCTAssertEqual(try Representation().steps(features: Self.features, integers: [], dropped: nil).map(\.kind), [.standardize],
                       "no step without the option")

        let own = ["j1", "j2", "j3", "pt_lead_muon"]
        let roles = try ColumnRoles(["jet1_pt": "j1", "jet2_pt": "j2", "jet3_pt": "j3"], source: "[roles]")
        var mapped = Representation()
        mapped.ordered = ["jet1_pt", "jet2_pt", "j3"]
        XCTAssertEqual(try mapped.orderedSteps(features: own, roles: roles).first?.columns, ["j1", "j2", "j3"],
                       "roles and column names both name the table's columns")

        var job = try JobConfig(document: TOMLDocument(parsing: "[ensemble]\nordered = [\"jet1_pt\", \"jet2_pt\"]\n", file: "job.toml"),
                                section: "ensemble", schema: GANSettings.schema)
        XCTAssertEqual(try Representation(job: &job).ordered, ["jet1_pt", "jet2_pt"])
    }

    func testMisuseIsRefusedWithOneLine() throws {
        func refusal(_ ordered: [String], features: [String] = OrderedOptionTests.features, roles: ColumnRoles = ColumnRoles(),
                     zeroSpike: [String] = [], log1p: [String] = []) -> String? {
            var r = Representation(log1p: log1p, zeroSpike: zeroSpike)
            r.ordered = ordered
            do {
                _ = try r.steps(features: features, integers: [], dropped: nil, roles: roles)
                return nil
            } catch let error as InputError {
                XCTAssertEqual(error.exitCode, ExitStatus.usage)
                return error.message
            } catch { return "\(error)" }
        }
        XCTAssertEqual(refusal(["jet1_pt"]), "ordered expects at least two columns, leading first (e.g. [\"jet1_pt\", \"jet2_pt\", "
                       + "\"jet3_pt\"]), found 1: jet1_pt; list the whole sequence or set ordered = []")
        XCTAssertEqual(refusal(["jet1_pt", "jet6_pt"]), "ordered column 'jet6_pt' is not among the features "
                       + Self.features.joined(separator: ",") + " and no feature plays that role; remove it from ordered or add it to columns")
        XCTAssertEqual(refusal(["jet1_pt", "jet2_pt", "jet1_pt"]),
                       "ordered lists column 'jet1_pt' twice; expected each column once; remove the repeat")
        XCTAssertEqual(refusal(["jet1_pt", "jet3_pt", "jet2_pt"]), "ordered lists jet3_pt before jet2_pt; expected the jets leading "
                       + "first (jet1_pt, jet2_pt, jet3_pt, jet4_pt, jet5_pt); reorder ordered")
        let roles = try ColumnRoles(["jet1_pt": "a", "jet2_pt": "b"], source: "[roles]")
        XCTAssertEqual(refusal(["b", "a"], features: ["a", "b"], roles: roles), "ordered lists b (role jet2_pt) before a (role "
                       + "jet1_pt); expected the jets leading first (jet1_pt, jet2_pt, jet3_pt, jet4_pt, jet5_pt); reorder ordered")
        XCTAssertEqual(refusal(Self.jets, zeroSpike: ["jet1_pt", "jet3_pt"]), "'jet3_pt' is listed in both ordered and zero_spike; "
                       + "ordered makes it a ratio in [0, 1] (-1 when absent), which zero_spike does not expect; remove it from zero_spike")
        XCTAssertEqual(refusal(Self.jets, log1p: ["jet2_pt"]), "'jet2_pt' is listed in both ordered and log1p; ordered makes it a "
                       + "ratio in [0, 1] (-1 when absent), which log1p does not expect; remove it from log1p")
        XCTAssertNil(refusal(Self.jets, zeroSpike: ["jet1_pt"]), "the first column keeps its values")
    }

    /// With an ordered sequence the zero calibration acts on its leading column only and zeroes the
    /// later ones with it: a per-column threshold could zero jet3 and keep jet4. A calibration
    /// without followers is stored as before (no new key), and one with them reads back equal.
    func testZeroCalibrationKeepsTheSequenceDescending() throws {
        let spikes = [ZeroCalibration.Spike(name: "mu1_iso", fraction: 0.3, floor: 0.01),
                      ZeroCalibration.Spike(name: "jet1_pt", fraction: 0.4, floor: 15),
                      ZeroCalibration.Spike(name: "jet2_pt", fraction: 0.7, floor: 15),
                      ZeroCalibration.Spike(name: "jet3_pt", fraction: 0.9, floor: 15)]
        let sequences = ZeroCalibration.orderedSequences(Preprocessor(steps: [.ordered(["jet1_pt", "jet2_pt", "jet3_pt"]),
                                                                           .standardize(["jet1_pt"])]))
        XCTAssertEqual(sequences, [["jet1_pt", "jet2_pt", "jet3_pt"]])
        let kept = ZeroCalibration.ordered(spikes, sequences)
        XCTAssertEqual(kept.map(\.name), ["mu1_iso", "jet1_pt"])
        XCTAssertEqual(kept.map(\.followers), [[], ["jet2_pt", "jet3_pt"]])

        var sample = EventTable(columns: ["mu1_iso", "jet1_pt", "jet2_pt", "jet3_pt"], rows: 10)
        for r in 0..<10 { for (c, v) in [Float(r) * 0.01, 15 + Float(r), 15 + Float(r) / 2, 15 + Float(r) / 4].enumerated() { sample[r, c] = v } }
        let calibration = ZeroCalibration.matching(kept, sample: sample)
        XCTAssertEqual(Set(calibration.thresholds.keys), ["mu1_iso", "jet1_pt"])
        XCTAssertEqual(calibration.followers, ["jet1_pt": ["jet2_pt", "jet3_pt"]])
        var applied = sample
        calibration.apply(&applied)
        for r in 0..<10 {
            let jets = (1..<4).map { applied[r, $0] }
            XCTAssertEqual(jets, r < 4 ? [0, 0, 0] : (1..<4).map { sample[r, $0] }, "row \(r): 40 % of jet1 zeroed, with the jets after it")
        }
        let plain = ZeroCalibration.matching(Array(spikes.prefix(1)), sample: sample)
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(plain), as: UTF8.self).contains("followers"))
        XCTAssertEqual(try JSONDecoder().decode(ZeroCalibration.self, from: try JSONEncoder().encode(calibration)), calibration)
    }
}
