/// Argon2id cost parameters. Defaults are OWASP's: m = 19 MiB, t = 2, p = 1.
public struct Argon2Parameters: Sendable, Equatable {
    public var memoryKiB: Int
    public var iterations: Int
    public var parallelism: Int

    /// The only lane count new hashes can have: libsodium's Argon2id hashes with one lane.
    /// Stored hashes with more lanes still verify (see `PasswordHasher`).
    public static let supportedParallelism = 1

    public init(memoryKiB: Int = 19_456, iterations: Int = 2, parallelism: Int = 1) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
    }

    /// The work one hash or verification does, in KiB of memory filled times passes over it
    /// (Argon2's cost is linear in both; lanes split the same work, they do not add to it).
    public var work: Int { memoryKiB * iterations }

    /// Reads the parameters out of a PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`).
    init?(phc: String) {
        let parts = phc.split(separator: "$")
        guard parts.count == 5, parts[0] == "argon2id" else { return nil }
        var m: Int?, t: Int?, p: Int?
        for item in parts[2].split(separator: ",") {
            let kv = item.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let v = Int(kv[1]) else { return nil }
            switch kv[0] {
            case "m": m = v
            case "t": t = v
            case "p": p = v
            default: return nil
            }
        }
        guard let m, let t, let p else { return nil }
        self.init(memoryKiB: m, iterations: t, parallelism: p)
    }
}
