extension AuthEngine {
    func fillStorageStatistics(_ stats: inout EngineStatistics) {}
}
