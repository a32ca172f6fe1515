/// The weights of a `mixed` run, parsed from `--mix me=80,refresh=15,login=5`.
///
/// Each connection cycles through a fixed sequence holding every operation as
/// often as its weight, shuffled with a per-connection seed: the mix is exact over
/// every whole cycle and the same for every run, and connections are not in step.
struct Mix: Sendable, Equatable {
    /// Operations with positive weight, in the order given.
    let weights: [(MixOperation, Int)]

    static func == (a: Mix, b: Mix) -> Bool { a.weights.elementsEqual(b.weights) { $0 == $1 } }

    /// Parses `op=weight` pairs separated by commas.
    static func parse(_ text: String) throws(BenchError) -> Mix {
        var weights: [(MixOperation, Int)] = []
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let op = MixOperation(rawValue: kv[0]), let w = Int(kv[1]), w >= 0 else {
                throw .invalidArgument("--mix: '\(part)' is not op=weight with op in \(MixOperation.allCases.map(\.rawValue).joined(separator: "/"))")
            }
            guard !weights.contains(where: { $0.0 == op }) else { throw .invalidArgument("--mix: '\(op.rawValue)' given twice") }
            if w > 0 { weights.append((op, w)) }
        }
        guard !weights.isEmpty else { throw .invalidArgument("--mix: no operation with a positive weight") }
        guard weights.reduce(0, { $0 + $1.1 }) <= 100_000 else { throw .invalidArgument("--mix: weights sum above 100000") }
        return Mix(weights: weights)
    }

    /// One cycle of operations for the connection with the given seed.
    func sequence(seed: Int) -> [MixOperation] {
        var seq: [MixOperation] = []
        for (op, w) in weights { seq.append(contentsOf: repeatElement(op, count: w)) }
        var state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        for i in stride(from: seq.count - 1, to: 0, by: -1) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let j = Int((state >> 33) % UInt64(i + 1))
            seq.swapAt(i, j)
        }
        return seq
    }
}
