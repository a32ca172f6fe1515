#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import JSON
import Logging
import NIOCore

/// A swift-log handler that writes one JSON object per line.
///
/// Each line is `{"time","level","message","label", ...metadata}` with the
/// metadata keys sorted, so a request's `correlationId`, `method`, `route`,
/// `status`, `durationMs`, `userId` and `sessionId` become plain fields a log
/// pipeline can index. Values are JSON-escaped; nested metadata stays nested.
/// The HTTP front never puts a password, token or secret into metadata.
public struct JSONLogHandler: LogHandler {
    /// Handler-level metadata (merged under the event's own).
    public var metadata: Logger.Metadata = [:]
    /// The least severe level written.
    public var logLevel: Logger.Level
    /// Metadata added to every event (e.g. from task-locals).
    public var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let output: LogOutput

    /// A handler for `label` writing to `output`.
    public init(label: String, level: Logger.Level = .info, output: LogOutput = .standardOutput) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    /// Handler-level metadata access.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one event as one line.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(String(describing: type(of: error)))" }

        var writer = JSONWriter(buffer: ByteBuffer())
        writer.beginObject()
        writer.key("time")
        writer.string(Self.timestamp())
        writer.key("level")
        writer.string(event.level.rawValue)
        writer.key("message")
        writer.string(event.message.description)
        writer.key("label")
        writer.string(label)
        for key in merged.keys.sorted() where key != "time" && key != "level" && key != "message" && key != "label" {
            writer.buffer.writeInteger(UInt8(ascii: ","))
            writer.buffer.appendJSONString(key)
            writer.buffer.writeInteger(UInt8(ascii: ":"))
            Self.write(merged[key]!, into: &writer.buffer)
        }
        writer.endObject()
        writer.buffer.writeInteger(UInt8(ascii: "\n"))
        output.write(line: Array(writer.buffer.readableBytesView))
    }

    private static func write(_ value: Logger.MetadataValue, into buffer: inout ByteBuffer) {
        switch value {
        case .string(let string):
            buffer.appendJSONString(string)
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as Int: buffer.writeString(String(number))
            case let number as Int64: buffer.writeString(String(number))
            case let number as UInt64: buffer.writeString(String(number))
            case let number as Double where number.isFinite: buffer.writeString(String(number))
            case let flag as Bool: buffer.writeStaticString(flag ? "true" : "false")
            default: buffer.appendJSONString(convertible.description)
            }
        case .array(let values):
            buffer.writeInteger(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                write(element, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            buffer.writeInteger(UInt8(ascii: "{"))
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                buffer.appendJSONString(key)
                buffer.writeInteger(UInt8(ascii: ":"))
                write(dictionary[key]!, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }

    /// Now, as `2026-11-27T12:34:56.789Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = Int(now.tv_nsec / 1_000_000)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2)
            + "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
            + "." + pad(millis, 3) + "Z"
    }
}
