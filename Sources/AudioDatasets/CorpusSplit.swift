/// Which part of a corpus a speaker belongs to.
public enum CorpusSplit: String, Sendable, Codable, CaseIterable {
    case train, dev, test
}
