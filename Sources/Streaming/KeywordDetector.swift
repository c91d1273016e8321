import AudioIO
import KeywordSpotting

/// The whole detection pipeline over one stream: optionally separate it into talkers (``TalkerSeparation``, in
/// windows aligned and cross-faded by ``ChunkedSeparator``), run a ``StreamingKeywordSpotter`` on each talker's
/// stream (or on the stream itself), and turn the scores into events with one ``KeywordTrigger``.
///
/// Synchronous and deterministic: ``push(_:)`` returns the events the block completes; ``finish()`` flushes the
/// separation's last window. Memory does not depend on the stream's length. With separation, events come a window
/// later than without (the separator needs its whole window), but their times are those of the stream.
///
/// ```swift
/// let detector = try KeywordDetector(spotter: spotter, hop: 1280, settings: settings)
/// for block in blocks { for e in try detector.push(block) { print(e.keyword, e.endSample) } }
/// ```
public final class KeywordDetector {
    /// One spotter per talker (one without separation).
    public let spotters: [StreamingKeywordSpotter]
    /// The event rules.
    public let trigger: KeywordTrigger
    /// The model's labels (class-index order).
    public let labels: [String]
    /// Called with every hop's scores (one per talker) before the trigger sees them: for recording score streams.
    public var onHop: (([KeywordHopScores]) -> Void)?
    private let separation: (chunked: ChunkedSeparator, down: Resampler?, up: Resampler?)?
    private var queues: [[KeywordHopScores]]

    /// - Parameters:
    ///   - spotter: the keyword model (its rate is the stream's).
    ///   - hop: samples between windows (a multiple of 10 ms).
    ///   - settings: the event rules.
    ///   - separation: separate first, or nil.
    /// - Throws: ``KeywordSpottingError`` for a bad hop, `AudioIOError` if a resampler cannot be made.
    public init(spotter: KeywordSpotter, hop: Int, settings: DetectionSettings, separation: TalkerSeparation? = nil) throws {
        let talkers = separation?.speakers ?? 1
        labels = spotter.configuration.labels
        spotters = try (0..<talkers).map { _ in try StreamingKeywordSpotter(spotter: spotter, hop: hop) }
        trigger = KeywordTrigger(settings: settings, labels: spotter.configuration.labels, talkers: talkers)
        queues = [[KeywordHopScores]](repeating: [], count: talkers)
        if let separation {
            let rate = spotter.configuration.frontEnd.sampleRate
            let same = separation.sampleRate == rate
            self.separation = (
                ChunkedSeparator(plan: separation.plan, speakers: talkers, separate: separation.separate),
                same ? nil : try Resampler(inputRate: rate, outputRate: separation.sampleRate),
                same ? nil : try Resampler(inputRate: separation.sampleRate, outputRate: rate, channelCount: talkers))
        } else {
            self.separation = nil
        }
    }

    /// The stream's rate (Hz): the keyword model's.
    public var sampleRate: Int { spotters[0].sampleRate }

    /// Adds samples `[n]` at ``sampleRate`` and returns the events they complete, in time order.
    /// - Throws: `AudioIOError` if resampling fails.
    public func push(_ samples: [Float]) throws -> [KeywordEvent] {
        guard let separation else { return spot([samples]) }
        let input = try separation.down.map { try $0.process([samples])[0] } ?? samples
        return try spotSeparated(separation.chunked.push(input), final: false)
    }

    /// Ends the stream and returns the remaining events (with separation: those of the last window).
    /// - Throws: `AudioIOError` if resampling fails.
    public func finish() throws -> [KeywordEvent] {
        guard let separation else { return [] }
        var events: [KeywordEvent] = []
        if let down = separation.down {
            events += try spotSeparated(separation.chunked.push(try down.flush()[0]), final: false)
        }
        events += try spotSeparated(separation.chunked.finish(), final: true)
        return events
    }

    private func spotSeparated(_ talkers: [[Float]], final: Bool) throws -> [KeywordEvent] {
        guard let up = separation?.up else { return spot(talkers) }
        var streams = try up.process(talkers)
        if final {
            let tail = try up.flush()
            for t in streams.indices { streams[t] += tail[t] }
        }
        return spot(streams)
    }

    /// Spots each talker's new samples and runs the trigger over every hop all talkers have reached.
    private func spot(_ talkers: [[Float]]) -> [KeywordEvent] {
        for (t, samples) in talkers.enumerated() { queues[t] += spotters[t].push(samples) }
        let ready = queues.map(\.count).min() ?? 0
        var events: [KeywordEvent] = []
        for i in 0..<ready {
            let hop = queues.map { $0[i] }
            onHop?(hop)
            events += trigger.process(hop)
        }
        for t in queues.indices { queues[t].removeFirst(ready) }
        return events
    }
}
