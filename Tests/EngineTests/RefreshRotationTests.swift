import Testing
@testable import Engine

@Suite struct RefreshRotationTests {
    let a = TokenID(high: 1, low: 1), b = TokenID(high: 2, low: 2), c = TokenID(high: 3, low: 3)
    let t0 = Timestamp(milliseconds: 1_000_000)

    func chain(current: TokenID, parent: TokenID?, rotatedAt: Timestamp?) -> RefreshChain {
        RefreshChain(current: current, issuedAt: 1000, generation: parent == nil ? 0 : 1, parent: parent, rotatedAt: rotatedAt)
    }

    @Test func currentLinkRotates() {
        #expect(RefreshRotation.decide(chain: chain(current: a, parent: nil, rotatedAt: nil), status: .active, presented: a, now: t0, reuseIntervalMilliseconds: 0) == .rotate)
    }

    @Test func strictModeTreatsTheParentAsReplay() {
        let ch = chain(current: b, parent: a, rotatedAt: t0)
        #expect(RefreshRotation.decide(chain: ch, status: .active, presented: a, now: t0, reuseIntervalMilliseconds: 0) == .compromise)
    }

    @Test func graceCoversOnlyTheImmediateParentWithinTheInterval() {
        let ch = chain(current: c, parent: b, rotatedAt: t0)
        let later = Timestamp(milliseconds: t0.milliseconds + 5_000)
        #expect(RefreshRotation.decide(chain: ch, status: .active, presented: b, now: later, reuseIntervalMilliseconds: 5_000) == .reissueCurrent)
        #expect(RefreshRotation.decide(chain: ch, status: .active, presented: b, now: Timestamp(milliseconds: later.milliseconds + 1), reuseIntervalMilliseconds: 5_000) == .compromise)
        #expect(RefreshRotation.decide(chain: ch, status: .active, presented: a, now: t0, reuseIntervalMilliseconds: 5_000) == .compromise)
    }

    @Test func endedSessionsRefuseWithTheirStatus() {
        let ch = chain(current: a, parent: nil, rotatedAt: nil)
        #expect(RefreshRotation.decide(chain: ch, status: .revoked, presented: a, now: t0, reuseIntervalMilliseconds: 0) == .refuse(.sessionRevoked))
        #expect(RefreshRotation.decide(chain: ch, status: .compromised, presented: a, now: t0, reuseIntervalMilliseconds: 0) == .refuse(.sessionCompromised))
    }
}
