import Foundation

extension Process {
    /// Stops a child this bench started: SIGTERM, then SIGKILL once `grace` seconds have passed.
    func stop(grace: Double) async {
        // Already exited: still let Foundation finish its bookkeeping of the exit (its run-loop
        // source holds the Process until it has been handled).
        guard isRunning else { return waitUntilExit() }
        kill(processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 10_000_000) }
        if isRunning {
            kill(processIdentifier, SIGKILL)
            waitUntilExit()
        }
    }
}
