/// Everything that can make a `bench` run fail as a whole (as opposed to the
/// per-request failures that are counted in ``ErrorKind`` and reported).
enum BenchError: Error, CustomStringConvertible, Equatable {
    /// The target URL is not an `http://host[:port][/base]` URL.
    case invalidURL(String)
    /// A command-line value is out of range or malformed.
    case invalidArgument(String)
    /// No connection to the target could be opened before the run.
    case connectFailed(String)
    /// Virtual users could not finish their setup (register/login) in time.
    case setupFailed(String)
    /// The `authd` binary was not found or could not be started.
    case spawnFailed(String)
    /// The spawned server did not answer `/ready` with 200 in time.
    case notReady(String)
    /// Writing the JSON report failed.
    case outputFailed(String)

    var description: String {
        switch self {
        case .invalidURL(let s): "invalid URL: \(s)"
        case .invalidArgument(let s): "invalid argument: \(s)"
        case .connectFailed(let s): "cannot connect: \(s)"
        case .setupFailed(let s): "setup failed: \(s)"
        case .spawnFailed(let s): "cannot start authd: \(s)"
        case .notReady(let s): "server not ready: \(s)"
        case .outputFailed(let s): "cannot write output: \(s)"
        }
    }
}
