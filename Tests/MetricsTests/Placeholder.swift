import XCTest
final class MetricsPlaceholderTests: XCTestCase { func testPlaceholder() {} }
