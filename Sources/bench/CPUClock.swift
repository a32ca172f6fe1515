#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time (user + system) from `getrusage`, to show whether the generator itself
/// was the bottleneck: a generator thread near 100% of a core means the figures
/// describe the generator, not the server.
enum CPUClock {
    /// CPU seconds consumed by the calling thread (Linux `RUSAGE_THREAD`).
    static func thread() -> Double {
        #if os(Linux)
        return seconds(who: 1) // RUSAGE_THREAD (a GNU extension Swift does not import)
        #else
        return seconds(who: RUSAGE_SELF)
        #endif
    }

    /// CPU seconds consumed by the whole process.
    static func process() -> Double {
        #if os(Linux)
        return seconds(who: 0) // RUSAGE_SELF
        #else
        return seconds(who: RUSAGE_SELF)
        #endif
    }

    private static func seconds(who: Int32) -> Double {
        var usage = rusage()
        _ = getrusage(who, &usage)
        return tv(usage.ru_utime) + tv(usage.ru_stime)
    }

    private static func tv(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
}
