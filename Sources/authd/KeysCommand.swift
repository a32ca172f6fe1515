import ArgumentParser
import Engine
import Foundation

/// `authd keys ...`: the running server's access-token signing keys.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Rotate or list the access-token signing keys of the running server (through DATA_DIR/admin.sock).",
        subcommands: [KeysRotateCommand.self, KeysListCommand.self]
    )
}

/// Where the running server is, and how long to wait for it.
struct AdminOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The server's data directory.")
    var dataDirectory = "./data"

    @Option(help: "How long to wait for the answer, e.g. 30s.")
    var timeout = "30s"
}

/// `authd keys rotate`: creates the next signing key; it is published now and signs after JWKS_MAX_AGE.
struct KeysRotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Create the next signing key: published at once, signing after JWKS_MAX_AGE; no session ends."
    )

    @OptionGroup var server: AdminOptions

    func run() throws {
        let answer = try AdminClient.request("keys rotate", dataDirectory: server.dataDirectory, timeout: server.timeout)
        let parts = answer.split(separator: " ")
        guard parts.first == "ok", parts.count == 4 else {
            FileHandle.standardError.write(Data("authd keys rotate: \(answer.hasPrefix("error ") ? String(answer.dropFirst(6)) : answer)\n".utf8))
            throw ExitCode(1)
        }
        print(parts[2] == "active" ? "key \(parts[1]) created; it signs now (no key was signing)"
              : "key \(parts[1]) created and published; it starts signing at \(parts[3])")
    }
}

/// `authd keys list`: kid, algorithm, state and times of every key.
struct KeysListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the signing keys: kid, algorithm, state (next, active, retired, expired), created, activated, retired."
    )

    @OptionGroup var server: AdminOptions

    @Flag(help: "Print the list as JSON.")
    var json = false

    func run() throws {
        let answer = try AdminClient.request("keys list", dataDirectory: server.dataDirectory, timeout: server.timeout)
        guard answer.hasPrefix("ok "), let keys = try? JSONSerialization.jsonObject(with: Data(answer.dropFirst(3).utf8)) as? [[String: Any]] else {
            FileHandle.standardError.write(Data("authd keys list: \(answer)\n".utf8))
            throw ExitCode(1)
        }
        if json {
            print(answer.dropFirst(3))
            return
        }
        let rows = [["KID", "ALGORITHM", "STATE", "CREATED", "ACTIVATED", "RETIRED"]] + keys.map { key in
            ["kid", "algorithm", "state", "created", "activated", "retired"].map { key[$0] as? String ?? "-" }
        }
        let widths = (0..<6).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
        }
    }
}

/// The JSON of `keys list` (one line, for the admin socket): times as ISO 8601, null when none.
enum SigningKeyReport {
    static func json(_ keys: [SigningKeyListing]) -> String {
        let objects: [[String: Any]] = keys.map { key in
            ["kid": key.kid, "algorithm": key.algorithm.rawValue, "state": key.state,
             "created": key.createdAt?.iso8601 ?? NSNull(), "activated": key.activatesAt?.iso8601 ?? NSNull(),
             "retired": key.retiredAt?.iso8601 ?? NSNull()]
        }
        let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
