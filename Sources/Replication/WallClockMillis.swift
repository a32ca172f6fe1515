import Glibc

/// Milliseconds since the Unix epoch (for heartbeats: followers show the leader's time).
enum WallClockMillis {
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
