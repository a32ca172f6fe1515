@testable import JSON

/// A small deterministic generator for reproducible property tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A value read back from a text by walking it with the reader (what the tests compare).
indirect enum Value: Equatable {
    case object([(String, Value)])
    case array([Value])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let a), .array(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    /// Reads one whole text into a value (the walk every caller of the reader does, kept).
    static func read(_ bytes: [UInt8], maximumDepth: Int = 32) throws(JSONSyntaxError) -> Value {
        let result: Result<Value, JSONSyntaxError> = bytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw, maximumDepth: maximumDepth)
            do throws(JSONSyntaxError) {
                let value = try read(&reader)
                try reader.expectEnd()
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    static func read(_ text: String, maximumDepth: Int = 32) throws(JSONSyntaxError) -> Value {
        try read(Array(text.utf8), maximumDepth: maximumDepth)
    }

    static func read(_ reader: inout JSONReader) throws(JSONSyntaxError) -> Value {
        switch reader.nextValueKind() {
        case .object?:
            try reader.enterObject()
            var members: [(String, Value)] = []
            while let key = try reader.nextMemberKey() { members.append((String(key), try read(&reader))) }
            return .object(members)
        case .array?:
            try reader.enterArray()
            var elements: [Value] = []
            while try reader.nextElement() { elements.append(try read(&reader)) }
            return .array(elements)
        case .string?: return .string(String(try reader.readString()))
        case .number?: return .number(String(decoding: try reader.readNumber().bytes, as: UTF8.self))
        case .boolean?: return .bool(try reader.readBoolean())
        case .null?: try reader.readNull(); return .null
        case nil: try reader.skipValue(); return .null  // throws: nothing starts here
        }
    }

    /// Writes the value with the module's writer.
    func write(into writer: inout JSONWriter<[UInt8]>) {
        switch self {
        case .object(let members):
            writer.beginObject()
            for (key, value) in members { writer.key(key); value.write(into: &writer) }
            writer.endObject()
        case .array(let elements):
            writer.beginArray()
            for element in elements { element.write(into: &writer) }
            writer.endArray()
        case .string(let text): writer.string(text)
        case .number(let digits): writer.value { $0.append(contentsOf: digits.utf8) }
        case .bool(let flag): writer.bool(flag)
        case .null: writer.null()
        }
    }

    var text: [UInt8] {
        var writer = JSONWriter(into: [UInt8]())
        write(into: &writer)
        return writer.sink
    }
}

/// The reason a text is refused, or nil if it is read.
func refusal(_ text: String, maximumDepth: Int = 32) -> JSONSyntaxError? {
    refusal(Array(text.utf8), maximumDepth: maximumDepth)
}

func refusal(_ bytes: [UInt8], maximumDepth: Int = 32) -> JSONSyntaxError? {
    do {
        _ = try Value.read(bytes, maximumDepth: maximumDepth)
        return nil
    } catch {
        return error
    }
}
