import Foundation

/// The OpenAPI 3.1 document served at `/docs.json`.
///
/// Written by hand to match what the server does (routes, request schemas
/// with the engine's validation constraints, every answer and error code,
/// bearer security). A test checks its paths and methods against `Route`. It is a JSON file
/// (`Sources/HTTPFront/openapi.json`) so that it is edited, linted and validated as JSON.
public enum OpenAPIDocument {
    /// The document, as JSON text: `openapi.json`, a resource of this module, read once.
    public static let json: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { fatalError("the OpenAPI document (HTTPFront resource openapi.json) is missing from the build") }
        return text
    }()
}
