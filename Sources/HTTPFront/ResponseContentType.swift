/// The media types this server answers with, written from constants (no header container).
public enum ResponseContentType: Sendable {
    /// `application/json; charset=utf-8`: every API answer and error envelope.
    case json
    /// `text/html; charset=utf-8`: the docs page.
    case html
    /// `text/plain; version=0.0.4; charset=utf-8`: Prometheus' text exposition format.
    case prometheusText

    /// The `Content-Type` header's value.
    var headerValue: StaticString {
        switch self {
        case .json: "application/json; charset=utf-8"
        case .html: "text/html; charset=utf-8"
        case .prometheusText: "text/plain; version=0.0.4; charset=utf-8"
        }
    }
}
