import XCTest
final class CommPlaceholderTests: XCTestCase { func testPlaceholder() {} }
