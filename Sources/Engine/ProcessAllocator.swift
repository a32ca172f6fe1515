#if canImport(Glibc)
import Glibc
#endif

/// The one allocator setting that lets memory freed by the session sweep leave the process.
///
/// glibc raises its mmap threshold each time a block it had mapped is freed (up to 32 MiB),
/// and its arenas' trim threshold with it (up to 64 MiB). The session and user tables are
/// such blocks: once they have grown and been rebuilt smaller, later tables come from the
/// arenas, whose free tops are then never given back, so RSS stays near its peak after the
/// sweep purged everything (measured: `engine-report sessions`, docs/benchmarks.md). Fixing
/// the threshold at glibc's own starting value, 128 KiB, turns that adjustment off: large
/// blocks are mapped and unmapped, and arenas trim at 256 KiB. Requests on the hot path
/// allocate nothing that large, so they are not affected.
public enum ProcessAllocator {
    /// The fixed threshold: blocks of this size and above are mapped on their own.
    public static let mmapThresholdBytes: Int32 = 128 * 1024

    /// Applies the fixed threshold to this process, unless the operator chose one with glibc's
    /// `MALLOC_MMAP_THRESHOLD_` (which glibc has applied already). Returns whether it was set
    /// here; false on other C libraries, where nothing is done.
    @discardableResult
    public static func keepLargeBlocksReturnable() -> Bool {
        #if canImport(Glibc)
        guard getenv("MALLOC_MMAP_THRESHOLD_") == nil,
              let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        // `mallopt` is declared in <malloc.h>, which the Glibc module does not export.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mMmapThreshold: Int32 = -3
        return unsafeBitCast(symbol, to: Mallopt.self)(mMmapThreshold, mmapThresholdBytes) == 1
        #else
        return false
        #endif
    }
}
