/// Progress of a long corpus job: items done out of the total, and the item just finished.
public struct CorpusProgress: Sendable {
    public var done: Int
    public var total: Int
    public var item: String
}

/// Receives progress reports (from the thread doing the work).
public typealias CorpusProgressHandler = (CorpusProgress) -> Void

/// Makes a generator from a 64-bit seed: corpora derive one per item from (seed, item), so an item's content does
/// not depend on which items were made before it, and an interrupted job resumes to the same bytes.
public typealias SeededGeneratorFactory<R: RandomNumberGenerator> = @Sendable (UInt64) -> R
