extension ConfigDifference {
    /// Refuses to resume a run directory whose stored configuration differs from the current one in
    /// an effective value (`first`), in one line naming the option, both values and the fix:
    /// "'OUT' holds WHAT with a different configuration: …; rerun with … to resume it, or choose
    /// another --out". A stored text that cannot be read is refused as "'OUT' holds WHAT whose
    /// STOREDNAME cannot be read (…); UNREADABLEFIX". Errors are usage errors (exit 64).
    public static func refuseResume(of what: String, in out: String, stored: String, storedFile: String, storedName: String,
                                    unreadableFix: String, current: String, section: String, schema: [ConfigOption],
                                    ignoring: Set<String> = []) throws {
        let difference: ConfigDifference?
        do {
            difference = try first(stored: stored, storedFile: storedFile, current: current, section: section,
                                   schema: schema, ignoring: ignoring)
        } catch let error as InputError {
            throw InputError("'\(out)' holds \(what) whose \(storedName) cannot be read (\(error.message)); \(unreadableFix)",
                             exitCode: ExitStatus.usage)
        }
        guard let d = difference else { return }
        throw InputError("'\(out)' holds \(what) with a different configuration: \(d.describe(storedIn: storedFile)); "
                         + "rerun \(d.restoring) to resume it, or choose another --out", exitCode: ExitStatus.usage)
    }
}
