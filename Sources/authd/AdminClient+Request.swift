import ArgumentParser
import Foundation
import HTTPFront

extension AdminClient {
    /// Sends `command` with a timeout the operator wrote (`30s`, `5m`), printing a one-line error
    /// and exiting 1 when the server cannot be reached or does not answer in time.
    static func request(_ command: String, dataDirectory: String, timeout text: String) throws -> String {
        guard let seconds = DurationParser.seconds(text), seconds > 0, seconds <= 86_400 else {
            throw ValidationError("--timeout must be a duration from 1ms to 1d such as 30s or 5m")
        }
        do {
            return try send(command, dataDirectory: dataDirectory, timeout: .milliseconds(Int64((seconds * 1000).rounded(.up))),
                            timeoutText: text)
        } catch {
            FileHandle.standardError.write(Data("authd: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
