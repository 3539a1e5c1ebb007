import XCTest
final class EventStorePlaceholderTests: XCTestCase { func testPlaceholder() {} }
