/// Keeps the text of a `refuse` message inside the wire bound.
enum RefusalText {
    /// `text` cut at a character boundary so that its UTF-8 fits `maximumTextLength`; an empty
    /// text becomes `"-"` (texts are never empty on the wire).
    static func clipped(_ text: String, maximum: Int = ReplicationMessage.maximumTextLength) -> String {
        guard !text.isEmpty else { return "-" }
        guard text.utf8.count > maximum else { return text }
        var result = ""
        var length = 0
        for character in text {
            let size = character.utf8.count
            guard length + size <= maximum else { break }
            result.append(character)
            length += size
        }
        return result.isEmpty ? "-" : result
    }
}
