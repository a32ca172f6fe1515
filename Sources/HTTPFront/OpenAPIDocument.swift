/// The OpenAPI 3.1 document served at `/docs.json`.
///
/// Written by hand to match what the server does (routes, request schemas
/// with the engine's validation constraints, every answer and error code,
/// bearer security). A test checks its paths and methods against `Route`.
public enum OpenAPIDocument {
    /// The document, as JSON text.
    public static let json: String = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "authd",
    "version": "1.0.0",
    "description": "Authentication server: registration, sessions, refresh-token rotation with replay detection, session revocation. Every answer carries `X-Correlation-Id` (the client's `X-Correlation-Id` or `X-Request-Id` when it is 1-128 token characters, else generated). Errors use one envelope: `{\"error\":{\"code\",\"message\",\"details\"?,\"correlationId\"}}`. Any route answers 404 NOT_FOUND for an unknown path and 405 METHOD_NOT_ALLOWED (with `Allow`) for a known path with another method. Any route also answers 408 REQUEST_TIMEOUT when the request's head and body did not all arrive within `REQUEST_READ_TIMEOUT` (default 30 s) of its first byte, and 503 SERVICE_UNAVAILABLE (`Retry-After: 1`), before reading the request, on a connection past `MAX_CONNECTIONS`; both close the connection. Every answer under `/v1/auth`, errors included, carries `Cache-Control: no-store` and `Pragma: no-cache`. Any route also answers 408 REQUEST_TIMEOUT when the request's head and body did not all arrive within `REQUEST_READ_TIMEOUT` (default 30 s) of its first byte, and 503 SERVICE_UNAVAILABLE (`Retry-After: 1`), before reading the request, on a connection past `MAX_CONNECTIONS`; both close the connection. Every answer under `/v1/auth`, errors included, carries `Cache-Control: no-store` and `Pragma: no-cache`."
  },
  "servers": [
    {
      "url": "http://localhost:3000",
      "description": "Local server"
    }
  ],
  "tags": [
    {
      "name": "Auth"
    },
    {
      "name": "Sessions"
    },
    {
      "name": "Operations"
    }
  ],
  "paths": {
    "/v1/auth/register": {
      "post": {
        "operationId": "register",
        "tags": [
          "Auth"
        ],
        "summary": "Register a new user",
        "description": "Creates a user. The email is trimmed and lower-cased; it must not be registered yet. Rate limited per client IP.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/RegisterInput"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "User created",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/RegisterResponse"
                }
              }
            }
          },
          "400": {
            "description": "The body is missing, not JSON, not an object, or a field is invalid (`details` lists each field). Codes: INVALID_PAYLOAD.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "409": {
            "description": "The email is already registered. Codes: USER_ALREADY_EXISTS.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than 1 MiB; the connection is closed. Codes: PAYLOAD_TOO_LARGE.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "415": {
            "description": "A body was sent with a Content-Type other than application/json. Codes: UNSUPPORTED_MEDIA_TYPE.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "429": {
            "description": "The per-IP limiter of mutation routes refused the request. Codes: TOO_MANY_REQUESTS.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "500": {
            "description": "An unexpected failure; no internals are disclosed. Codes: INTERNAL_SERVER_ERROR.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "503": {
            "description": "The password-hash queue is full (Retry-After given) or storage cannot write. Also answered at once, before the request is read, on a connection past MAX_CONNECTIONS (`Retry-After: 1`); the connection is then closed. In a cluster, a follower answers NOT_LEADER with the leader's URL in `X-Authd-Leader` (Retry-After: 1), and a leader that may not acknowledge writes (too few replicas under SYNC_STRICT) SERVICE_UNAVAILABLE. Codes: SERVICE_UNAVAILABLE, NOT_LEADER.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              },
              "X-Authd-Leader": {
                "$ref": "#/components/headers/X-Authd-Leader"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      }
    },
    "/v1/auth/sessions": {
      "post": {
        "operationId": "createSession",
        "tags": [
          "Auth"
        ],
        "summary": "Log in: create a session and issue a token pair",
        "description": "Verifies email and password and opens a new session. Rate limited per client IP; after LOGIN_MAX_ATTEMPTS failed password checks an account is locked for the lockout window (successful logins never count).",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/CreateSessionInput"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Session created",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AuthResponse"
                }
              }
            }
          },
          "400": {
            "description": "The body is missing, not JSON, not an object, or a field is invalid (`details` lists each field). Codes: INVALID_PAYLOAD.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "401": {
            "description": "Wrong email or password (the same answer for unknown emails). Codes: INVALID_CREDENTIALS.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than 1 MiB; the connection is closed. Codes: PAYLOAD_TOO_LARGE.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "415": {
            "description": "A body was sent with a Content-Type other than application/json. Codes: UNSUPPORTED_MEDIA_TYPE.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "429": {
            "description": "The per-IP limiter refused the request, or the account is locked: LOGIN_MAX_ATTEMPTS failed password checks within the lockout window lock every login of that account (the right password included, unknown emails alike) until `Retry-After` seconds have passed. Codes: TOO_MANY_REQUESTS.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "500": {
            "description": "An unexpected failure; no internals are disclosed. Codes: INTERNAL_SERVER_ERROR.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "503": {
            "description": "The password-hash queue is full (Retry-After given) or storage cannot write. Also answered at once, before the request is read, on a connection past MAX_CONNECTIONS (`Retry-After: 1`); the connection is then closed. In a cluster, a follower answers NOT_LEADER with the leader's URL in `X-Authd-Leader` (Retry-After: 1), and a leader that may not acknowledge writes (too few replicas under SYNC_STRICT) SERVICE_UNAVAILABLE. Codes: SERVICE_UNAVAILABLE, NOT_LEADER.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              },
              "X-Authd-Leader": {
                "$ref": "#/components/headers/X-Authd-Leader"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      },
      "get": {
        "operationId": "listSessions",
        "tags": [
          "Sessions"
        ],
        "summary": "List the caller's sessions",
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "description": "The authenticated user's sessions, at most 100: the active ones first, then the ended ones still retained (EXPIRED, REVOKED, COMPROMISED; kept for SESSION_RETENTION after they ended), each group newest first. The session of the presented access token is flagged `current`.",
        "responses": {
          "200": {
            "description": "The caller's sessions",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SessionsListResponse"
                }
              }
            }
          },
          "401": {
            "description": "Missing, malformed or invalid bearer token, or its session is not active. Codes: AUTHORIZATION_REQUIRED, INVALID_AUTHORIZATION_HEADER, INVALID_TOKEN, SESSION_NOT_ACTIVE.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "500": {
            "description": "An unexpected failure; no internals are disclosed. Codes: INTERNAL_SERVER_ERROR.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "503": {
            "description": "The password-hash queue is full (Retry-After given) or storage cannot write. Codes: SERVICE_UNAVAILABLE. Also answered at once, before the request is read, on a connection past MAX_CONNECTIONS (`Retry-After: 1`); the connection is then closed.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      },
      "delete": {
        "operationId": "revokeAllSessions",
        "tags": [
          "Sessions"
        ],
        "summary": "Revoke every session of the caller",
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "description": "Revokes all sessions of the authenticated user, the current one included. Rate limited per client IP.",
        "responses": {
          "204": {
            "description": "All sessions revoked",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            }
          },
          "401": {
            "description": "Missing, malformed or invalid bearer token, or its session is not active. Codes: AUTHORIZATION_REQUIRED, INVALID_AUTHORIZATION_HEADER, INVALID_TOKEN, SESSION_NOT_ACTIVE.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "429": {
            "description": "The per-IP limiter of mutation routes refused the request. Codes: TOO_MANY_REQUESTS.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "500": {
            "description": "An unexpected failure; no internals are disclosed. Codes: INTERNAL_SERVER_ERROR.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "503": {
            "description": "The password-hash queue is full (Retry-After given) or storage cannot write. Also answered at once, before the request is read, on a connection past MAX_CONNECTIONS (`Retry-After: 1`); the connection is then closed. In a cluster, a follower answers NOT_LEADER with the leader's URL in `X-Authd-Leader` (Retry-After: 1), and a leader that may not acknowledge writes (too few replicas under SYNC_STRICT) SERVICE_UNAVAILABLE. Codes: SERVICE_UNAVAILABLE, NOT_LEADER.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              },
              "X-Authd-Leader": {
                "$ref": "#/components/headers/X-Authd-Leader"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      }
    },
    "/v1/auth/sessions/{sessionId}": {
      "delete": {
        "operationId": "revokeSession",
        "tags": [
          "Sessions"
        ],
        "summary": "Revoke one session of the caller",
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "description": "Revokes one of the authenticated user's sessions. A session of another user answers 404, as an unknown one does. Rate limited per client IP.",
        "parameters": [
          {
            "in": "path",
            "name": "sessionId",
            "required": true,
            "description": "The session's public id.",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "responses": {
          "204": {
            "description": "Session revoked",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            }
          },
          "400": {
            "description": "sessionId is not a UUID. Codes: INVALID_PAYLOAD.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "401": {
            "description": "Missing, malformed or invalid bearer token, or its session is not active. Codes: AUTHORIZATION_REQUIRED, INVALID_AUTHORIZATION_HEADER, INVALID_TOKEN, SESSION_NOT_ACTIVE.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "404": {
            "description": "No such session among the caller's. Codes: SESSION_NOT_FOUND.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "429": {
            "description": "The per-IP limiter of mutation routes refused the request. Codes: TOO_MANY_REQUESTS.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "500": {
            "description": "An unexpected failure; no internals are disclosed. Codes: INTERNAL_SERVER_ERROR.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "503": {
            "description": "The password-hash queue is full (Retry-After given) or storage cannot write. Also answered at once, before the request is read, on a connection past MAX_CONNECTIONS (`Retry-After: 1`); the connection is then closed. In a cluster, a follower answers NOT_LEADER with the leader's URL in `X-Authd-Leader` (Retry-After: 1), and a leader that may not acknowledge writes (too few replicas under SYNC_STRICT) SERVICE_UNAVAILABLE. Codes: SERVICE_UNAVAILABLE, NOT_LEADER.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              },
              "X-Authd-Leader": {
                "$ref": "#/components/headers/X-Authd-Leader"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      }
    },
    "/v1/auth/sessions/current/revoke": {
      "post": {
        "operationId": "revokeCurrentSession",
        "tags": [
          "Sessions"
        ],
        "summary": "Revoke the session of a refresh token (logout)",
        "description": "Revokes the session the refresh token belongs to. Rate limited per client IP.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/RefreshTokenInput"
              }
            }
          }
        },
        "responses": {
          "204": {
            "description": "Session revoked",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            }
          },
          "400": {
            "description": "The body is missing, not JSON, not an object, or a field is invalid (`details` lists each field). Codes: INVALID_PAYLOAD.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "401": {
            "description": "The refresh token is invalid, expired, replayed, or its session is already revoked or compromised. Codes: INVALID_REFRESH_TOKEN, REFRESH_TOKEN_EXPIRED, REFRESH_TOKEN_REUSED, SESSION_REVOKED, SESSION_COMPROMISED.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than 1 MiB; the connection is closed. Codes: PAYLOAD_TOO_LARGE.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "415": {
            "description": "A body was sent with a Content-Type other than application/json. Codes: UNSUPPORTED_MEDIA_TYPE.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "429": {
            "description": "The per-IP limiter of mutation routes refused the request. Codes: TOO_MANY_REQUESTS.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "500": {
            "description": "An unexpected failure; no internals are disclosed. Codes: INTERNAL_SERVER_ERROR.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "503": {
            "description": "The password-hash queue is full (Retry-After given) or storage cannot write. Also answered at once, before the request is read, on a connection past MAX_CONNECTIONS (`Retry-After: 1`); the connection is then closed. In a cluster, a follower answers NOT_LEADER with the leader's URL in `X-Authd-Leader` (Retry-After: 1), and a leader that may not acknowledge writes (too few replicas under SYNC_STRICT) SERVICE_UNAVAILABLE. Codes: SERVICE_UNAVAILABLE, NOT_LEADER.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              },
              "X-Authd-Leader": {
                "$ref": "#/components/headers/X-Authd-Leader"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      }
    },
    "/v1/auth/tokens/refresh": {
      "post": {
        "operationId": "refreshTokens",
        "tags": [
          "Auth"
        ],
        "summary": "Rotate a refresh token and issue a new token pair",
        "description": "Exchanges the session's current refresh token for a new pair. Presenting an earlier token of the chain is replay: the session becomes COMPROMISED and every token of it stops working. Rate limited per client IP.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/RefreshTokenInput"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Token pair rotated",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AuthResponse"
                }
              }
            }
          },
          "400": {
            "description": "The body is missing, not JSON, not an object, or a field is invalid (`details` lists each field). Codes: INVALID_PAYLOAD.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "401": {
            "description": "The refresh token is invalid, expired or replayed, or its session is revoked or compromised. Codes: INVALID_REFRESH_TOKEN, REFRESH_TOKEN_EXPIRED, REFRESH_TOKEN_REUSED, SESSION_REVOKED, SESSION_COMPROMISED.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than 1 MiB; the connection is closed. Codes: PAYLOAD_TOO_LARGE.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "415": {
            "description": "A body was sent with a Content-Type other than application/json. Codes: UNSUPPORTED_MEDIA_TYPE.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "429": {
            "description": "The per-IP limiter of mutation routes refused the request. Codes: TOO_MANY_REQUESTS.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "500": {
            "description": "An unexpected failure; no internals are disclosed. Codes: INTERNAL_SERVER_ERROR.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "503": {
            "description": "The password-hash queue is full (Retry-After given) or storage cannot write. Also answered at once, before the request is read, on a connection past MAX_CONNECTIONS (`Retry-After: 1`); the connection is then closed. In a cluster, a follower answers NOT_LEADER with the leader's URL in `X-Authd-Leader` (Retry-After: 1), and a leader that may not acknowledge writes (too few replicas under SYNC_STRICT) SERVICE_UNAVAILABLE. Codes: SERVICE_UNAVAILABLE, NOT_LEADER.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              },
              "X-Authd-Leader": {
                "$ref": "#/components/headers/X-Authd-Leader"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      }
    },
    "/v1/auth/me": {
      "get": {
        "operationId": "me",
        "tags": [
          "Auth"
        ],
        "summary": "The authenticated user and current session",
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "responses": {
          "200": {
            "description": "Authenticated user context",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/MeResponse"
                }
              }
            }
          },
          "401": {
            "description": "Missing, malformed or invalid bearer token, or its session is not active. Codes: AUTHORIZATION_REQUIRED, INVALID_AUTHORIZATION_HEADER, INVALID_TOKEN, SESSION_NOT_ACTIVE.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "500": {
            "description": "An unexpected failure; no internals are disclosed. Codes: INTERNAL_SERVER_ERROR.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "503": {
            "description": "The password-hash queue is full (Retry-After given) or storage cannot write. Codes: SERVICE_UNAVAILABLE. Also answered at once, before the request is read, on a connection past MAX_CONNECTIONS (`Retry-After: 1`); the connection is then closed.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              },
              "Cache-Control": {
                "$ref": "#/components/headers/Cache-Control"
              },
              "Pragma": {
                "$ref": "#/components/headers/Pragma"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      }
    },
    "/health": {
      "get": {
        "operationId": "health",
        "tags": [
          "Operations"
        ],
        "summary": "Liveness probe",
        "responses": {
          "200": {
            "description": "The process serves HTTP.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/HealthResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "503": {
            "description": "The server has MAX_CONNECTIONS connections open: a new connection is answered at once, before its request is read, and closed. Codes: SERVICE_UNAVAILABLE. Also answered at once, before the request is read, on a connection past MAX_CONNECTIONS (`Retry-After: 1`); the connection is then closed.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      }
    },
    "/ready": {
      "get": {
        "operationId": "ready",
        "tags": [
          "Operations"
        ],
        "summary": "Readiness probe",
        "description": "Ready once recovery (snapshot and WAL replay) finished, and while the WAL can write.",
        "responses": {
          "200": {
            "description": "Ready to serve",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/HealthResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "503": {
            "description": "Not ready (recovering, or storage cannot write) Also answered at once, before the request is read, on a connection past MAX_CONNECTIONS (`Retry-After: 1`); the connection is then closed.",
            "content": {
              "application/json": {
                "schema": {
                  "oneOf": [
                    {
                      "$ref": "#/components/schemas/HealthResponse"
                    },
                    {
                      "$ref": "#/components/schemas/ErrorResponse"
                    }
                  ]
                }
              }
            },
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              }
            }
          }
        }
      }
    },
    "/cluster": {
      "get": {
        "operationId": "cluster",
        "tags": [
          "Operations"
        ],
        "summary": "Cluster status of this node",
        "description": "Role, term, leader URL and LSNs of this node; on a leader also its followers with their acknowledged LSN, lag and whether they count as synchronous. 404 on a single node (no replication settings).",
        "responses": {
          "200": {
            "description": "This node's view of the cluster.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "node",
                    "role",
                    "term",
                    "lsn"
                  ],
                  "properties": {
                    "node": {
                      "type": "string"
                    },
                    "role": {
                      "type": "string",
                      "enum": [
                        "leader",
                        "follower"
                      ]
                    },
                    "term": {
                      "type": "integer"
                    },
                    "leader": {
                      "type": [
                        "string",
                        "null"
                      ]
                    },
                    "lsn": {
                      "type": "object"
                    },
                    "followers": {
                      "type": "array",
                      "items": {
                        "type": "object"
                      }
                    }
                  }
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "503": {
            "description": "A connection past MAX_CONNECTIONS is answered at once (Retry-After: 1) and closed. Codes: SERVICE_UNAVAILABLE.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "404": {
            "description": "Not a cluster node. Code NOT_FOUND.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      }
    },
    "/cluster/leader": {
      "get": {
        "operationId": "clusterLeader",
        "tags": [
          "Operations"
        ],
        "summary": "Leader health check",
        "description": "A health check for a load balancer (HAProxy). 404 on a single node.",
        "responses": {
          "200": {
            "description": "A leader that may acknowledge writes.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/HealthResponse"
                }
              }
            }
          },
          "503": {
            "description": "Not a leader, or a leader that may not acknowledge writes now.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/HealthResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "404": {
            "description": "Not a cluster node. Code NOT_FOUND.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      }
    },
    "/cluster/replica": {
      "get": {
        "operationId": "clusterReplica",
        "tags": [
          "Operations"
        ],
        "summary": "Replica health check",
        "description": "A health check for a load balancer (HAProxy). 404 on a single node.",
        "responses": {
          "200": {
            "description": "A follower streaming from its leader with lag under REPLICA_MAX_LAG.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/HealthResponse"
                }
              }
            }
          },
          "503": {
            "description": "Not a follower, not streaming, or lagging.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/HealthResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "404": {
            "description": "Not a cluster node. Code NOT_FOUND.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "metrics",
        "tags": [
          "Operations"
        ],
        "summary": "Prometheus metrics",
        "description": "Prometheus text exposition. Served only when METRICS_ENABLED=true; when METRICS_AUTH_TOKEN is set it requires `Authorization: Bearer <METRICS_AUTH_TOKEN>`.",
        "security": [
          {},
          {
            "metricsToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "Prometheus text exposition",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "description": "METRICS_AUTH_TOKEN is set and the bearer token is missing, malformed or wrong. Codes: AUTHORIZATION_REQUIRED, INVALID_AUTHORIZATION_HEADER, INVALID_TOKEN.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "404": {
            "description": "Metrics are disabled. Codes: NOT_FOUND.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "503": {
            "description": "The server has MAX_CONNECTIONS connections open: a new connection is answered at once, before its request is read, and closed. Codes: SERVICE_UNAVAILABLE. Also answered at once, before the request is read, on a connection past MAX_CONNECTIONS (`Retry-After: 1`); the connection is then closed.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      }
    },
    "/docs": {
      "get": {
        "operationId": "docs",
        "tags": [
          "Operations"
        ],
        "summary": "This reference as HTML",
        "responses": {
          "200": {
            "description": "A self-contained HTML page",
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "404": {
            "description": "Docs are disabled (DOCS_ENABLED=false). Codes: NOT_FOUND.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "503": {
            "description": "The server has MAX_CONNECTIONS connections open: a new connection is answered at once, before its request is read, and closed. Codes: SERVICE_UNAVAILABLE. Also answered at once, before the request is read, on a connection past MAX_CONNECTIONS (`Retry-After: 1`); the connection is then closed.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      }
    },
    "/docs.json": {
      "get": {
        "operationId": "docsJSON",
        "tags": [
          "Operations"
        ],
        "summary": "This OpenAPI 3.1 document",
        "responses": {
          "200": {
            "description": "The OpenAPI document",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "404": {
            "description": "Docs are disabled (DOCS_ENABLED=false). Codes: NOT_FOUND.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "408": {
            "description": "The request's head and body did not all arrive within REQUEST_READ_TIMEOUT (default 30 s) of its first byte; the connection is closed. Codes: REQUEST_TIMEOUT.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          },
          "503": {
            "description": "The server has MAX_CONNECTIONS connections open: a new connection is answered at once, before its request is read, and closed. Codes: SERVICE_UNAVAILABLE. Also answered at once, before the request is read, on a connection past MAX_CONNECTIONS (`Retry-After: 1`); the connection is then closed.",
            "headers": {
              "X-Correlation-Id": {
                "$ref": "#/components/headers/X-Correlation-Id"
              },
              "Retry-After": {
                "$ref": "#/components/headers/Retry-After"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ErrorResponse"
                }
              }
            }
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from login or refresh, as `Authorization: Bearer <token>` (exactly one space, nothing after the token)."
      },
      "metricsToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "METRICS_AUTH_TOKEN, when configured."
      }
    },
    "headers": {
      "X-Correlation-Id": {
        "description": "The request's correlation id.",
        "schema": {
          "type": "string",
          "maxLength": 128
        }
      },
      "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {
          "type": "integer",
          "minimum": 1
        }
      },
      "X-Authd-Leader": {
        "description": "On a cluster follower's NOT_LEADER answer: the HTTP URL of the current leader (absent while none is known).",
        "schema": {
          "type": "string"
        }
      },
      "Cache-Control": {
        "description": "Answers under /v1/auth carry tokens or personal data: no cache may store them.",
        "required": true,
        "schema": {
          "type": "string",
          "const": "no-store"
        }
      },
      "Pragma": {
        "description": "HTTP/1.0 caches: do not serve this answer from a cache.",
        "required": true,
        "schema": {
          "type": "string",
          "const": "no-cache"
        }
      }
    },
    "responses": {
      "MethodNotAllowed": {
        "description": "The path exists but not with this method; `Allow` lists the methods. Code METHOD_NOT_ALLOWED.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/ErrorResponse"
            }
          }
        }
      }
    },
    "schemas": {
      "RegisterInput": {
        "type": "object",
        "required": [
          "name",
          "email",
          "password"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 2,
            "maxLength": 256,
            "description": "After trimming: at least 2 characters (Unicode code points) and at most 256 bytes of UTF-8. The maximum counts bytes, so 256 characters fit only when they are ASCII."
          },
          "email": {
            "type": "string",
            "format": "email",
            "maxLength": 254,
            "description": "Trimmed and lower-cased before use; at most 254 bytes."
          },
          "password": {
            "type": "string",
            "minLength": 8,
            "maxLength": 128,
            "description": "At least 8 characters (Unicode code points) and at most 128 bytes of UTF-8."
          }
        }
      },
      "CreateSessionInput": {
        "type": "object",
        "required": [
          "email",
          "password"
        ],
        "properties": {
          "email": {
            "type": "string",
            "format": "email",
            "maxLength": 254,
            "description": "Trimmed and lower-cased before use; at most 254 bytes."
          },
          "password": {
            "type": "string",
            "minLength": 1,
            "maxLength": 1024,
            "description": "Not empty, at most 1024 bytes of UTF-8 (more than a new password may have, so passwords set under older limits still verify)."
          }
        }
      },
      "RefreshTokenInput": {
        "type": "object",
        "required": [
          "refreshToken"
        ],
        "properties": {
          "refreshToken": {
            "type": "string",
            "minLength": 1,
            "description": "Non-empty after trimming."
          }
        }
      },
      "User": {
        "type": "object",
        "required": [
          "id",
          "name",
          "email",
          "createdAt"
        ],
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "name": {
            "type": "string"
          },
          "email": {
            "type": "string",
            "format": "email"
          },
          "createdAt": {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601, UTC, milliseconds."
          }
        }
      },
      "Session": {
        "type": "object",
        "required": [
          "id",
          "sessionId",
          "status",
          "createdAt",
          "lastSeenAt",
          "userAgent",
          "ipAddress",
          "revokedAt",
          "revokeReason",
          "current"
        ],
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "sessionId": {
            "type": "string",
            "format": "uuid",
            "description": "The same value as `id`, under the seed's name."
          },
          "status": {
            "type": "string",
            "enum": [
              "ACTIVE",
              "EXPIRED",
              "REVOKED",
              "COMPROMISED"
            ],
            "description": "ACTIVE while the session's refresh token can be used; EXPIRED once its last refresh token's lifetime has passed (revokedAt and revokeReason stay null); REVOKED or COMPROMISED when it was ended. Ended sessions are listed for SESSION_RETENTION, then purged."
          },
          "createdAt": {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601, UTC, milliseconds."
          },
          "lastSeenAt": {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601, UTC, milliseconds."
          },
          "userAgent": {
            "type": [
              "string",
              "null"
            ]
          },
          "ipAddress": {
            "type": [
              "string",
              "null"
            ]
          },
          "revokedAt": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "revokeReason": {
            "type": [
              "string",
              "null"
            ]
          },
          "current": {
            "type": "boolean",
            "description": "Whether this is the session of the presented token."
          }
        }
      },
      "AuthResponse": {
        "type": "object",
        "required": [
          "accessToken",
          "refreshToken",
          "user",
          "session"
        ],
        "properties": {
          "accessToken": {
            "type": "string",
            "minLength": 1
          },
          "refreshToken": {
            "type": "string",
            "minLength": 1
          },
          "user": {
            "$ref": "#/components/schemas/User"
          },
          "session": {
            "$ref": "#/components/schemas/Session"
          }
        }
      },
      "RegisterResponse": {
        "type": "object",
        "required": [
          "user"
        ],
        "properties": {
          "user": {
            "$ref": "#/components/schemas/User"
          }
        }
      },
      "MeResponse": {
        "type": "object",
        "required": [
          "user",
          "session"
        ],
        "properties": {
          "user": {
            "$ref": "#/components/schemas/User"
          },
          "session": {
            "$ref": "#/components/schemas/Session"
          }
        }
      },
      "SessionsListResponse": {
        "type": "object",
        "required": [
          "sessions"
        ],
        "properties": {
          "sessions": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Session"
            }
          }
        }
      },
      "ErrorDetail": {
        "type": "object",
        "required": [
          "path",
          "message"
        ],
        "properties": {
          "path": {
            "type": "string"
          },
          "message": {
            "type": "string"
          }
        }
      },
      "ErrorResponse": {
        "type": "object",
        "required": [
          "error"
        ],
        "properties": {
          "error": {
            "type": "object",
            "required": [
              "code",
              "message",
              "correlationId"
            ],
            "properties": {
              "code": {
                "type": "string",
                "enum": [
                  "INVALID_PAYLOAD",
                  "USER_ALREADY_EXISTS",
                  "INVALID_CREDENTIALS",
                  "AUTHORIZATION_REQUIRED",
                  "INVALID_AUTHORIZATION_HEADER",
                  "INVALID_TOKEN",
                  "SESSION_NOT_ACTIVE",
                  "INVALID_REFRESH_TOKEN",
                  "REFRESH_TOKEN_REUSED",
                  "SESSION_COMPROMISED",
                  "SESSION_REVOKED",
                  "REFRESH_TOKEN_EXPIRED",
                  "SESSION_NOT_FOUND",
                  "NOT_FOUND",
                  "METHOD_NOT_ALLOWED",
                  "REQUEST_TIMEOUT",
                  "PAYLOAD_TOO_LARGE",
                  "UNSUPPORTED_MEDIA_TYPE",
                  "TOO_MANY_REQUESTS",
                  "INTERNAL_SERVER_ERROR",
                  "SERVICE_UNAVAILABLE",
                  "NOT_LEADER"
                ]
              },
              "message": {
                "type": "string"
              },
              "details": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/ErrorDetail"
                },
                "description": "Present for INVALID_PAYLOAD."
              },
              "correlationId": {
                "type": "string",
                "description": "The request's correlation id, also in the X-Correlation-Id header."
              }
            }
          }
        }
      },
      "HealthResponse": {
        "type": "object",
        "required": [
          "status",
          "service",
          "timestamp"
        ],
        "properties": {
          "status": {
            "type": "string",
            "enum": [
              "ok",
              "ready",
              "not_ready",
              "leader",
              "not_leader",
              "replica",
              "not_replica"
            ]
          },
          "service": {
            "type": "string"
          },
          "timestamp": {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601, UTC, milliseconds."
          }
        }
      }
    }
  }
}
"""#
}
