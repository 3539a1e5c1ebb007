import Foundation

/// Exit codes of latentsim (sysexits.h values), documented in README.md.
public enum ExitStatus {
    public static let usage: Int32 = 64        // bad command-line values
    public static let dataError: Int32 = 65    // input data malformed
    public static let noInput: Int32 = 66      // input missing or not readable as expected
    public static let unavailable: Int32 = 69  // a program or package it needs is not installed (report: Python)
    public static let software: Int32 = 70     // an MPI or HDF5 call failed
    public static let cannotCreate: Int32 = 73 // output cannot be written
    public static let resumable: Int32 = 75    // stopped on a signal, progress saved; rerun the same command
    public static let noProgress: Int32 = 78   // stopped again with no progress since the last stop: do not requeue
}

/// An error a user sees: one line of text and the process exit code that goes with it.
public protocol ReportableError: Error, CustomStringConvertible {
    var exitCode: Int32 { get }
    /// The word before the message on stderr ("error" unless the stop was intended).
    var label: String { get }
}

extension ReportableError {
    public var label: String { "error" }
}

/// A plain reportable error with a message and an exit code.
public struct InputError: ReportableError {
    public let message: String
    public let exitCode: Int32
    public init(_ message: String, exitCode: Int32 = ExitStatus.dataError) {
        self.message = message
        self.exitCode = exitCode
    }
    public var description: String { message }
}

/// Thrown on ranks whose peer (the lowest failing rank) reports the error; carries its exit code.
public struct PeerFailure: ReportableError {
    public let failingRank: Int
    public let exitCode: Int32
    public init(failingRank: Int, exitCode: Int32) {
        self.failingRank = failingRank
        self.exitCode = exitCode
    }
    public var description: String { "rank \(failingRank) failed (exit code \(exitCode))" }
}

/// Thrown (exit 75) when a stage stopped on SIGTERM/SIGUSR1 at a safe point with only complete files
/// under final names; `detail` says what was kept.
public struct StageStopped: ReportableError {
    public let detail: String
    public init(_ detail: String) { self.detail = detail }
    public var exitCode: Int32 { ExitStatus.resumable }
    public var label: String { "stopped" }
    public var description: String { "a signal arrived; \(detail); rerun the same command to continue" }
}
