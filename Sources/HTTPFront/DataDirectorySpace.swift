import CoreMetrics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Free and total bytes of the file system holding the data directory, read with `statvfs`
/// at scrape time (for the disk-space alert: a full disk makes the WAL unwritable).
struct DataDirectorySpace: Sendable {
    let path: String
    private let free: Gauge
    private let size: Gauge

    init(path: String, factory: any MetricsFactory) {
        self.path = path
        free = Gauge(label: "authd_data_directory_free_bytes", factory: factory)
        size = Gauge(label: "authd_data_directory_size_bytes", factory: factory)
    }

    /// Sets both gauges (bytes available to unprivileged users, total bytes); leaves them
    /// as they were when `statvfs` fails.
    func update() {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return }
        let unit = Double(info.f_frsize)
        free.record(Double(info.f_bavail) * unit)
        size.record(Double(info.f_blocks) * unit)
    }
}
