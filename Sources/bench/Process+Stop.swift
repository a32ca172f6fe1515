import Foundation

extension Process {
    /// Stops a child this bench started: SIGTERM, then SIGKILL once `grace` seconds have passed.
    func stop(grace: Double) async {
        guard isRunning else { return }
        kill(processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 10_000_000) }
        if isRunning {
            kill(processIdentifier, SIGKILL)
            waitUntilExit()
        }
    }
}
