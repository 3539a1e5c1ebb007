import XCTest
@testable import Support

/// Schema checks, precedence default < file < command line, and describe() round trips.
final class JobConfigResolverTests: XCTestCase {
    static let reduce: [ConfigOption] = [
        ConfigOption("data", .string, help: "Input event table."),
        ConfigOption("columns", .strings, default: [], help: "Columns to reduce (all when empty)."),
        ConfigOption("method", .string, default: "ae", help: "ae or pca."),
        ConfigOption("latent", .int, default: 3, help: "Latent dimension."),
        ConfigOption("widths", .ints, default: [64, 32], help: "Encoder layer widths."),
        ConfigOption("epochs", .int, default: 10, help: "Training epochs."),
        ConfigOption("batch", .int, default: 256, help: "Batch size per rank."),
        ConfigOption("lr", .double, default: 1, help: "Learning rate."),
        ConfigOption("seed", .int, default: 7, help: "Random seed."),
        ConfigOption("checkpoint_every", .int, default: 5, help: "Epochs between checkpoints."),
        ConfigOption("shuffle", .bool, default: true, help: "Shuffle every epoch."),
        ConfigOption("out", .string, help: "Output run directory."),
    ]
    static let validKeys = "batch, checkpoint_every, columns, data, epochs, latent, lr, method, out, seed, shuffle, widths"
    static let pipeline = ["simulate", "reduce", "ensemble", "generate", "evaluate"]

    static let dyAE = """
    # Autoencoder reduction of the built-in Drell–Yan table (7 → 4, the paper's reduced setup)
    [reduce]
    data = "runs/dy.h5"
    columns = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_pz"]
    method = "ae"
    latent = 4
    widths = [512, 128, 64, 8]
    epochs = 20
    batch = 512
    lr = 1e-3
    seed = 1
    """

    private func config(_ text: String, section: String? = "reduce", others: [String] = []) throws -> JobConfig {
        try JobConfig(document: TOMLDocument(parsing: text, file: "jobs/x.toml"), section: section,
                      schema: JobConfigResolverTests.reduce, otherSections: others)
    }

    private func assertError(_ text: String, section: String? = "reduce", others: [String] = [], _ message: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try config(text, section: section, others: others), file: file, line: line) { error in
            XCTAssertEqual((error as? InputError)?.description, message, file: file, line: line)
            XCTAssertEqual((error as? InputError)?.exitCode, ExitStatus.usage, file: file, line: line)
        }
    }

    func testRealisticJobFile() throws {
        let path = try ConfigFixtures.text("dy_ae.toml", JobConfigResolverTests.dyAE)
        var job = try JobConfig.load(path: path, section: "reduce", schema: JobConfigResolverTests.reduce)
        XCTAssertEqual(try job.string("data", cli: nil), "runs/dy.h5")
        XCTAssertEqual(try job.strings("columns", cli: nil), ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_pz"])
        XCTAssertEqual(try job.string("method", cli: nil), "ae")
        XCTAssertEqual(try job.int("latent", cli: nil), 4)
        XCTAssertEqual(try job.ints("widths", cli: nil), [512, 128, 64, 8])
        XCTAssertEqual(try job.int("epochs", cli: nil), 20)
        XCTAssertEqual(try job.int("batch", cli: nil), 512)
        XCTAssertEqual(try job.double("lr", cli: nil), 1e-3)
        XCTAssertEqual(try job.int("seed", cli: nil), 1)
        XCTAssertEqual(try job.int("checkpoint_every", cli: nil), 5, "not in the file: the built-in default")
        XCTAssertEqual(try job.bool("shuffle", cli: nil), true)
        XCTAssertEqual(job.fileValues["epochs"]?.line, 8)
        XCTAssertEqual(job.file, path)
    }

    func testPrecedenceDefaultThenFileThenCommandLine() throws {
        var defaults = try JobConfig.load(path: nil, section: "reduce", schema: JobConfigResolverTests.reduce)
        XCTAssertEqual(try defaults.int("epochs", cli: nil), 10)
        XCTAssertEqual(try defaults.double("lr", cli: nil), 1.0)
        XCTAssertEqual(try defaults.strings("columns", cli: nil), [])
        XCTAssertEqual(try defaults.int("epochs", cli: 3), 3)

        var job = try config("[reduce]\nepochs = 20\nlr = 2\nshuffle = false\nmethod = 'pca'\ncolumns = ['a']\nwidths = []\n")
        XCTAssertEqual(try job.int("epochs", cli: nil), 20)
        XCTAssertEqual(try job.int("epochs", cli: 30), 30)
        XCTAssertEqual(try job.double("lr", cli: nil), 2.0, "an integer literal is accepted for a number")
        XCTAssertEqual(try job.double("lr", cli: 0.5), 0.5)
        XCTAssertEqual(try job.bool("shuffle", cli: nil), false)
        XCTAssertEqual(try job.bool("shuffle", cli: true), true)
        XCTAssertEqual(try job.string("method", cli: nil), "pca")
        XCTAssertEqual(try job.string("method", cli: "ae"), "ae")
        XCTAssertEqual(try job.strings("columns", cli: nil), ["a"])
        XCTAssertEqual(try job.strings("columns", cli: ["b", "c"]), ["b", "c"])
        XCTAssertEqual(try job.ints("widths", cli: nil), [], "the file's empty list beats the default")
        XCTAssertEqual(try job.ints("widths", cli: [8]), [8])
        XCTAssertEqual(try job.int("batch", cli: nil), 256)
        XCTAssertNil(job.value("out", cli: nil))
        XCTAssertEqual(job.value("out", cli: "runs/x"), "runs/x")
    }

    func testMissingRequiredValueNamesKeyAndFlag() throws {
        var job = try config("[reduce]\nepochs = 1\n")
        XCTAssertThrowsError(try job.string("out", cli: nil)) {
            XCTAssertEqual(($0 as? InputError)?.description,
                           "missing value for 'out': pass --out or set out = … under [reduce] in jobs/x.toml")
            XCTAssertEqual(($0 as? InputError)?.exitCode, ExitStatus.usage)
        }
        var topLevel = try config("epochs = 1\n", section: nil)
        XCTAssertThrowsError(try topLevel.string("data", cli: nil)) {
            XCTAssertEqual(($0 as? InputError)?.description, "missing value for 'data': pass --data or set data = … in jobs/x.toml")
        }
        var bare = JobConfig(schema: [ConfigOption("checkpoint_every", .int, help: "h")])
        XCTAssertThrowsError(try bare.int("checkpoint_every", cli: nil)) {
            XCTAssertEqual(($0 as? InputError)?.description, "missing value for 'checkpoint_every': pass --checkpoint-every "
                           + "or set checkpoint_every = … in a job file given with --config")
        }
        XCTAssertEqual(try bare.int("checkpoint_every", cli: 4), 4)
    }

    func testUnknownKeysAndSections() {
        assertError("# job\n[reduce]\ndata = 'a'\nepoch = 20\n", "jobs/x.toml line 4: unknown key 'epoch' in [reduce]; "
                    + "did you mean 'epochs'? (valid keys: \(JobConfigResolverTests.validKeys))")
        assertError("[reduce]\ncheckpointevery = 2\n", "jobs/x.toml line 2: unknown key 'checkpointevery' in [reduce]; "
                    + "did you mean 'checkpoint_every'? (valid keys: \(JobConfigResolverTests.validKeys))")
        assertError("[reduce]\nlatnet = 2\n", "jobs/x.toml line 2: unknown key 'latnet' in [reduce]; "
                    + "did you mean 'latent'? (valid keys: \(JobConfigResolverTests.validKeys))")
        assertError("[reduce]\nlearning_rate = 2\n", "jobs/x.toml line 2: unknown key 'learning_rate' in [reduce] "
                    + "(valid keys: \(JobConfigResolverTests.validKeys))")
        assertError("sed = 2\n", section: nil, "jobs/x.toml line 1: unknown key 'sed' at top level; "
                    + "did you mean 'seed'? (valid keys: \(JobConfigResolverTests.validKeys))")
        assertError("epochs = 2\n[reduce]\n", "jobs/x.toml line 1: key 'epochs' is outside any section; put it under [reduce]")
        assertError("[simulate]\nevents = 5\n[reduc]\nepochs = 2\n", others: JobConfigResolverTests.pipeline,
                    "jobs/x.toml line 3: unknown section [reduc]; did you mean [reduce]? "
                    + "(valid sections: ensemble, evaluate, generate, reduce, simulate)")
        assertError("[reduce]\n[training]\n", "jobs/x.toml line 2: unknown section [training] (valid sections: reduce)")
        assertError("epochs = 1\n[reduce]\n", section: nil, "jobs/x.toml line 2: unknown section [reduce]; "
                    + "this command reads top-level keys only")
        assertError("[reduce.ae]\nx = 1\n", "jobs/x.toml line 1: unknown section [reduce.ae]; did you mean [reduce]? "
                    + "(valid sections: reduce)")
    }

    func testTypeErrors() {
        let cases: [(String, String)] = [
            ("epochs = \"ten\"", #"key 'epochs' expects an integer, found a string ("ten")"#),
            ("epochs = 2.0", "key 'epochs' expects an integer, found a number (2.0)"),
            ("lr = \"fast\"", #"key 'lr' expects a number, found a string ("fast")"#),
            ("shuffle = 1", "key 'shuffle' expects a boolean, found an integer (1)"),
            ("method = true", "key 'method' expects a string, found a boolean (true)"),
            ("columns = \"mu1_E\"", #"key 'columns' expects a list of strings, found a string ("mu1_E"); write ["mu1_E"]"#),
            ("widths = 512", "key 'widths' expects a list of integers, found an integer (512); write [512]"),
            ("widths = [1.5]", "key 'widths' expects a list of integers, found a list of numbers ([1.5])"),
            ("columns = [1, 2]", "key 'columns' expects a list of strings, found a list of integers ([1, 2])"),
            ("data = [\"a\"]", #"key 'data' expects a string, found a list of strings (["a"])"#),
            ("data = []", "key 'data' expects a string, found an empty list ([])"),
            ("method = { a = 1 }", "key 'method' expects a string, found a table ({ a = 1 })"),
        ]
        for (line, message) in cases {
            assertError("# header\n[reduce]\nbatch = 4\n\n\(line)\n", "jobs/x.toml line 5: " + message)
        }
    }

    func testPipelineFileReadsOnlyItsSection() throws {
        let text = "[simulate]\nprocess = 'dy'\nevents = 1000\n[reduce]\nepochs = 3\n[ensemble]\nmembers = 4\n"
        var job = try config(text, others: JobConfigResolverTests.pipeline)
        XCTAssertEqual(try job.int("epochs", cli: nil), 3)
        XCTAssertEqual(Set(job.fileValues.keys), ["epochs"])
        var ensemble = try JobConfig(document: TOMLDocument(parsing: text, file: "p.toml"), section: "ensemble",
                                     schema: [ConfigOption("members", .int, help: "h")], otherSections: JobConfigResolverTests.pipeline)
        XCTAssertEqual(try ensemble.int("members", cli: nil), 4)
    }

    func testDescribeIsSortedTomlThatParsesBackToTheSameValues() throws {
        var job = try config(JobConfigResolverTests.dyAE)
        XCTAssertEqual(try job.int("epochs", cli: 30), 30)
        XCTAssertEqual(try job.string("out", cli: "runs/ae \"1\""), "runs/ae \"1\"")
        XCTAssertEqual(try job.double("lr", cli: nil), 0.001)
        let text = job.describe()
        XCTAssertEqual(text, """
        [reduce]
        batch = 512
        checkpoint_every = 5
        columns = ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_pz"]
        data = "runs/dy.h5"
        epochs = 30
        latent = 4
        lr = 0.001
        method = "ae"
        out = "runs/ae \\"1\\""
        seed = 1
        shuffle = true
        widths = [512, 128, 64, 8]

        """)
        let path = try ConfigFixtures.text("run_config.toml", "")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let back = try JobConfig.load(path: path, section: "reduce", schema: JobConfigResolverTests.reduce)
        for option in JobConfigResolverTests.reduce {
            XCTAssertEqual(back.effectiveValue(option.name), job.effectiveValue(option.name), option.name)
            XCTAssertEqual(back.fileValues[option.name]?.value, job.effectiveValue(option.name), option.name)
        }
        XCTAssertEqual(back.describe(), text)
    }

    func testDescribeWithoutSectionAndAwkwardValues() throws {
        let schema = [ConfigOption("lr", .double, default: 1e-4, help: "h"), ConfigOption("name", .string, help: "h"),
                      ConfigOption("tiny", .double, default: .float(.leastNonzeroMagnitude), help: "h"), ConfigOption("big", .int, default: .integer(.min), help: "h"),
                      ConfigOption("label", .string, default: "tab\tnew\nline é", help: "h")]
        var job = JobConfig(schema: schema)
        XCTAssertEqual(try job.double("lr", cli: nil), 1e-4)
        let text = job.describe()
        XCTAssertEqual(text, "big = -9223372036854775808\nlabel = \"tab\\tnew\\nline é\"\nlr = 0.0001\ntiny = 5e-324\n")
        let back = try JobConfig(document: TOMLDocument(parsing: text, file: "c.toml"), section: nil, schema: schema)
        for option in schema { XCTAssertEqual(back.effectiveValue(option.name), job.effectiveValue(option.name), option.name) }
        XCTAssertNil(back.effectiveValue("name"))
    }

    func testEditDistanceAndSuggestionLimit() {
        XCTAssertEqual(JobConfig.editDistance("kitten", "sitting"), 3)
        XCTAssertEqual(JobConfig.editDistance("", "abc"), 3)
        XCTAssertEqual(JobConfig.editDistance("epoch", "epochs"), 1)
        XCTAssertEqual(JobConfig.editDistance("μμ", "μ"), 1)
        XCTAssertEqual(JobConfig.nearest("latnet", among: ["lr", "latent"]), "latent")
        XCTAssertNil(JobConfig.nearest("lrate", among: ["lr"]), "distance 3 > max(2, 5/3)")
        XCTAssertEqual(JobConfig.nearest("checkpoint_evry", among: ["checkpoint_every", "seed"]), "checkpoint_every")
        XCTAssertEqual(JobConfig.nearest("abcdefghi", among: ["abcdefxyz"]), "abcdefxyz", "3 ≤ 9/3")
        XCTAssertNil(JobConfig.nearest("abcdefgh", among: ["abcdefxyz"]), "3 > max(2, 8/3)")
    }
}
