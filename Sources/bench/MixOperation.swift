/// One kind of request a `mixed` run can send.
enum MixOperation: String, CaseIterable, Sendable {
    case me, refresh, login, register, health
}
