import Foundation

/// Writes a target's seed corpus when `AUTHD_FUZZ_WRITE_SEEDS` names a directory.
///
/// Seeds are produced by the code under test (real segments, snapshots, records, tokens), so
/// they stay valid when a format changes: `make fuzz-seeds` regenerates `Fuzz/Corpus/<target>/`.
/// Each target calls `SeedWriter.writeIfAsked` from `LLVMFuzzerInitialize`; the process exits
/// after writing.
public enum SeedWriter {
    /// The variable naming the directory to write seeds into.
    public static let variable = "AUTHD_FUZZ_WRITE_SEEDS"

    /// When the variable is set, writes every named seed (`selector` byte first) and exits.
    public static func writeIfAsked(_ make: () -> [(name: String, selector: UInt8, bytes: [UInt8])]) {
        guard let directory = ProcessInfo.processInfo.environment[variable], !directory.isEmpty else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let seeds = make()
        for seed in seeds {
            let data = Data([seed.selector] + seed.bytes)
            FileManager.default.createFile(atPath: directory + "/" + seed.name, contents: data)
        }
        print("wrote \(seeds.count) seeds to \(directory)")
        exit(0)
    }
}
