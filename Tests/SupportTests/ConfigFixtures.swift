import Foundation

/// Job files written for the parser tests, in a directory of this test process.
enum ConfigFixtures {
    static let directory: String = {
        let dir = NSTemporaryDirectory() + "latentsim-support-\(getpid())"
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            fatalError("cannot create the fixture directory \(dir): \(error)")
        }
        return dir
    }()

    static func text(_ name: String, _ contents: String) throws -> String {
        let path = directory + "/" + name
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
