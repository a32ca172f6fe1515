import CFuzzer

/// Starts libFuzzer from a target's own entry point.
///
/// SwiftPM links every executable's `main` to `<Target>_main`, so libFuzzer's `main` never runs;
/// each target defines that symbol and calls `FuzzDriver.run`, which hands the arguments to
/// `LLVMFuzzerRunDriver` (same flags, corpus directories and exit codes as libFuzzer's `main`).
public enum FuzzDriver {
    /// Runs libFuzzer with `callback` as the target; returns its exit status.
    public static func run(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt {
        authd_fuzz_run(argc, argv, callback)
    }
}
