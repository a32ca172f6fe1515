import AsyncHTTPClient

extension EtcdClient {
    /// Follows changes of one key.
    ///
    /// - Parameters:
    ///   - startRevision: the first revision to report (history is replayed from it, if not
    ///     compacted); nil starts at whatever revision etcd has when it registers the watch, so
    ///     to follow a key without a gap read it first and pass the read's revision + 1.
    ///   - previousValues: ask etcd for each event's previous key-value.
    /// - Returns: the events in revision order. The stream fails with an ``EtcdError``:
    ///   ``EtcdError/compacted(compactRevision:)`` when `startRevision` is compacted,
    ///   ``EtcdError/watchCanceled(reason:)`` or ``EtcdError/watchEnded(endpoint:)`` when etcd
    ///   ends it, connection errors as for any call. It never ends without an error unless its
    ///   consumer stops: cancelling the consuming task (or dropping the iterator) cancels the
    ///   HTTP request.
    public func watch(
        _ key: String, startRevision: Int64? = nil, previousValues: Bool = false
    ) -> AsyncThrowingStream<EtcdWatchEvent, any Error> {
        watch(GatewayCodec.watchCreate(key: key, prefix: false, startRevision: startRevision, previousValues: previousValues))
    }

    /// Follows changes of every key starting with `prefix`; see ``watch(_:startRevision:previousValues:)``.
    public func watch(
        prefix: String, startRevision: Int64? = nil, previousValues: Bool = false
    ) -> AsyncThrowingStream<EtcdWatchEvent, any Error> {
        watch(GatewayCodec.watchCreate(key: prefix, prefix: true, startRevision: startRevision, previousValues: previousValues))
    }

    private func watch(_ request: JSONValue) -> AsyncThrowingStream<EtcdWatchEvent, any Error> {
        let transport = self.transport
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await Self.follow(request, over: transport) { continuation.yield($0) }
                } catch EtcdError.cancelled {
                    // The consumer stopped (its task was cancelled, or it dropped the iterator):
                    // the stream ends without an error, whichever side noticed first.
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Opens the watch stream and hands every event to `deliver` until the stream fails (it
    /// always ends by throwing).
    private static func follow(
        _ request: JSONValue, over transport: GatewayTransport, deliver: (EtcdWatchEvent) -> Void
    ) async throws(EtcdError) -> Never {
        let (endpoint, response) = try await transport.openStream("/v3/watch", request)
        var framer = JSONObjectFramer()
        do {
            for try await chunk in response.body {
                for object in try framer.append(chunk.readableBytesView) {
                    switch try GatewayCodec.watchMessage(try GatewayObject(json: object), endpoint: endpoint) {
                    case .created, .progress:
                        continue
                    case let .events(events, _):
                        events.forEach(deliver)
                    case let .canceled(compactRevision, reason):
                        throw compactRevision > 0
                            ? EtcdError.compacted(compactRevision: compactRevision) : .watchCanceled(reason: reason)
                    }
                }
            }
        } catch let error as EtcdError {
            throw error
        } catch {
            if Task.isCancelled { throw .cancelled }
            throw .connectionLost(endpoint: endpoint, underlying: error)
        }
        if Task.isCancelled { throw .cancelled }
        throw .watchEnded(endpoint: endpoint)
    }
}
