import XCTest
@testable import NN
@testable import Support

final class MLPTests: XCTestCase {
    func testRejectsBadArchitectures() {
        XCTAssertThrowsError(try MLP(widths: [3], activations: [], maxBatch: 4, seed: 1))
        XCTAssertThrowsError(try MLP(widths: [3, 0, 2], activations: [.relu, .linear], maxBatch: 4, seed: 1))
        XCTAssertThrowsError(try MLP(widths: [3, 4, 2], activations: [.relu], maxBatch: 4, seed: 1))
        XCTAssertThrowsError(try MLP(widths: [3, 4], activations: [.leakyReLU(-0.1)], maxBatch: 4, seed: 1))
        XCTAssertThrowsError(try MLP(widths: [3, 4], activations: [.linear], maxBatch: 0, seed: 1))
    }

    func testFusedLayoutOffsets() throws {
        let model = try MLP(widths: [3, 4, 5, 2], activations: [.relu, .tanh, .linear], maxBatch: 8, seed: 1)
        XCTAssertEqual(model.layers.map(\.weightOffset), [0, 16, 41])
        XCTAssertEqual(model.layers.map(\.biasOffset), [12, 36, 51])
        XCTAssertEqual(model.parameterCount, 53)
        XCTAssertEqual(model.parameters.count, 53)
        XCTAssertEqual(model.gradients.count, 53)
        XCTAssertEqual(model.input.count, 24)
        XCTAssertEqual(model.output(batch: 8).count, 16)
    }

    /// He-normal for ReLU-family layers, Xavier-uniform otherwise, zero biases, seeded.
    func testInitialisationStatisticsAndDeterminism() throws {
        let widths = [400, 300, 200]
        let model = try MLP(widths: widths, activations: [.leakyReLU(0.2), .tanh], maxBatch: 1, seed: 9)
        let he = Array(model.parameters[0..<120_000]).map(Double.init)
        let heStd = (he.reduce(0) { $0 + $1 * $1 } / Double(he.count)).squareRoot()
        XCTAssertEqual(heStd, (2 / (1.04 * 400)).squareRoot(), accuracy: 0.002)
        XCTAssertEqual(he.reduce(0, +) / Double(he.count), 0, accuracy: 0.001)
        let xavier = Array(model.parameters[model.layers[1].weightOffset..<model.layers[1].biasOffset])
        let limit = Float((6.0 / 500).squareRoot())
        XCTAssertLessThanOrEqual(xavier.map(abs).max() ?? 0, limit)
        XCTAssertGreaterThan(xavier.map(abs).max() ?? 0, 0.99 * limit)
        XCTAssertTrue(model.parameters[model.layers[0].biasOffset..<model.layers[1].weightOffset].allSatisfy { $0 == 0 })

        let same = try MLP(widths: widths, activations: [.leakyReLU(0.2), .tanh], maxBatch: 1, seed: 9)
        let other = try MLP(widths: widths, activations: [.leakyReLU(0.2), .tanh], maxBatch: 1, seed: 10)
        XCTAssertEqual(same.copyParameters(), model.copyParameters())
        XCTAssertNotEqual(other.copyParameters(), model.copyParameters())
    }

    func testCheckpointRoundTrip() throws {
        let a = try MLP(widths: [3, 4, 2], activations: [.relu, .linear], maxBatch: 2, seed: 1)
        let b = try MLP(widths: [3, 4, 2], activations: [.relu, .linear], maxBatch: 2, seed: 2)
        XCTAssertNotEqual(a.copyParameters(), b.copyParameters())
        try b.restoreParameters(a.copyParameters())
        XCTAssertEqual(a.copyParameters(), b.copyParameters())
        XCTAssertThrowsError(try b.restoreParameters([1, 2, 3]))
        let c = try MLP(widths: [3, 5, 2], activations: [.relu, .linear], maxBatch: 2, seed: 1)
        XCTAssertThrowsError(try c.copyParameters(from: a))
    }

    /// A batch smaller than maxBatch uses only the leading rows, whatever the rest holds.
    func testSmallerBatchIgnoresTrailingRows() throws {
        let model = try MLP(widths: [3, 4, 2], activations: [.tanh, .linear], maxBatch: 6, seed: 4)
        let x = randomValues(18, seed: 5)
        let full = x.withUnsafeBufferPointer { Array(model.forward($0, batch: 6)) }
        let part = x.withUnsafeBufferPointer { Array(model.forward($0, batch: 2)) }
        XCTAssertEqual(part, Array(full[0..<4]))
    }
}
