import Foundation
import Support

/// Python's json module as an independent reader: it parses each line (JSON Lines) and writes it
/// back with json.dumps (ASCII escapes, its own number digits), which JSONValue then parses.
public enum PythonJSON {
    public struct Failure: Error, CustomStringConvertible { public let description: String }

    public static func roundTrip(_ text: String) throws -> [JSONValue] {
        let path = NSTemporaryDirectory() + "latentsim-json-\(getpid())-\(UUID().uuidString).jsonl"
        defer { unlink(path) }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import json,sys\nfor line in open(sys.argv[1], encoding='utf-8'):\n"
                             + "    print(json.dumps(json.loads(line), allow_nan=False))", path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(description: "python3 rejected the text: \(message)") }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { try JSONValue.parse($0) }
    }
}
