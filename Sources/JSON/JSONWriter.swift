/// Writes JSON into a sink the caller owns, placing the commas.
///
/// Bodies are built value by value, with no intermediate dictionary or `Codable`: keys known
/// at compile time are written verbatim, strings are escaped (see `JSONSink.appendJSONString`).
/// Callers with values of their own (ids, timestamps) write them with `value(_:)`.
public struct JSONWriter<Sink: JSONSink> {
    /// The bytes written so far (and whatever the sink held before).
    public var sink: Sink
    @usableFromInline var needsComma = false

    /// Starts writing into `sink`, after its current contents.
    @inlinable
    public init(into sink: Sink) {
        self.sink = sink
    }

    @inlinable
    mutating func separate() {
        if needsComma { sink.append(UInt8(ascii: ",")) }
    }

    /// `{`
    @inlinable
    public mutating func beginObject() {
        separate()
        sink.append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// `}`
    @inlinable
    public mutating func endObject() {
        sink.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// `[`
    @inlinable
    public mutating func beginArray() {
        separate()
        sink.append(UInt8(ascii: "["))
        needsComma = false
    }

    /// `]`
    @inlinable
    public mutating func endArray() {
        sink.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// `"key":` for a key known at compile time (it must need no escaping).
    @inlinable
    public mutating func key(_ key: StaticString) {
        separate()
        sink.append(UInt8(ascii: "\""))
        sink.append(key)
        sink.append("\":")
        needsComma = false
    }

    /// `"key":` for a key known only at run time, escaped.
    @inlinable
    public mutating func key(_ key: String) {
        separate()
        sink.appendJSONString(key)
        sink.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A string value, escaped.
    @inlinable
    public mutating func string(_ value: String) {
        separate()
        sink.appendJSONString(value)
        needsComma = true
    }

    /// A string value, or `null`.
    @inlinable
    public mutating func string(orNull value: String?) {
        if let value { string(value) } else { null() }
    }

    /// `true` or `false`.
    @inlinable
    public mutating func bool(_ value: Bool) {
        separate()
        sink.append(value ? "true" : "false")
        needsComma = true
    }

    /// An integer value.
    @inlinable
    public mutating func integer(_ value: Int) {
        separate()
        sink.appendJSONInteger(Int64(value))
        needsComma = true
    }

    /// `null`
    @inlinable
    public mutating func null() {
        separate()
        sink.append("null")
        needsComma = true
    }

    /// One value the caller writes itself with `write` (it must be one valid JSON value).
    @inlinable
    public mutating func value(_ write: (inout Sink) -> Void) {
        separate()
        write(&sink)
        needsComma = true
    }
}
