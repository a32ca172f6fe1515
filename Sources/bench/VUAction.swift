/// What a virtual user wants its connection to do next.
enum VUAction {
    /// Send this request and wait for its answer.
    case send(OutgoingRequest)
    /// Do nothing for this long (k6's `sleep`), then ask again.
    case pause(nanoseconds: UInt64)
    /// Setup (register/login) is done; wait until the load phase starts.
    case ready
    /// This user has nothing more to do (its iterations are over).
    case finished
    /// Setup could not be completed; the run is aborted with this reason.
    case failed(String)
}
