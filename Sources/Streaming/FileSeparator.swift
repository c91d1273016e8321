import AudioIO
import Foundation
import Separation

/// How separated stems are scaled before they are written.
public enum StemScaling: String, Sendable, CaseIterable, Codable {
    /// The least-squares gains that best rebuild the mixture from the stems (``StemGains``): the mixture's own
    /// scale, relative levels kept.
    case mixture
    /// Each stem scaled to the mixture's RMS (as ClearerVoice does).
    case rms
    /// Each stem scaled to the mixture's peak.
    case peak
    /// The network's output as is.
    case none
}

/// What one separated input gave: its length, the speed, and each stem's level.
public struct FileSeparationReport: Sendable, Equatable {
    /// Seconds of audio separated (at the model's rate).
    public var seconds: Double
    /// Wall-clock time over audio time (below 1 is faster than real time).
    public var realTimeFactor: Double
    /// Each written stem's RMS in dBFS, nil for a silent one.
    public var levels: [Double?]
    /// The signal that ended a live input early (stdin), nil if it ran to its end.
    public var stoppedBy: Int32?
}

/// Separates whole audio files of any length into one file per talker, in two passes whose memory does not grow with
/// the length.
///
/// Pass 1 reads the input block by block at the model's rate, runs the ``ChunkedSeparator`` over it and stages each
/// stem as a float WAV next to its destination, measuring levels and the ``StemGains`` on the way. Pass 2 scales the
/// stems (``StemScaling``; stems that would clip are turned down together), converts them back to the input's rate,
/// cuts or pads them to exactly the input's frame count, and writes each atomically (renamed into place when whole).
///
/// ```swift
/// let separator = try MossFormer2Separator(directory: "Models/mossformer2-8k")
/// let files = FileSeparator(separator: separator, plan: try ChunkPlan(windowSeconds: 4, overlapSeconds: 1, sampleRate: 8_000))
/// let report = try files.separate(file: "mix.wav", to: ["mix_s1.wav", "mix_s2.wav"])
/// print(report.realTimeFactor, report.levels)
/// ```
public struct FileSeparator {
    /// The model.
    public let separator: MossFormer2Separator
    /// The windows the model sees (in samples at its rate).
    public var plan: ChunkPlan
    /// How the stems are scaled.
    public var scaling: StemScaling
    /// The stems' file format.
    public var format: AudioFileFormat
    /// Passes per window and polarity (test-time shift averaging), 1 up to the separator's `maximumShifts`.
    public var shifts: Int
    /// Whether the negated mixture is separated too and averaged in.
    public var bothPolarities: Bool

    public init(
        separator: MossFormer2Separator, plan: ChunkPlan, scaling: StemScaling = .mixture, format: AudioFileFormat = .wav16,
        shifts: Int = 1, bothPolarities: Bool = false
    ) {
        self.separator = separator
        self.plan = plan
        self.scaling = scaling
        self.format = format
        self.shifts = shifts
        self.bothPolarities = bothPolarities
    }

    /// Separates the audio file at `path` (any format libsndfile reads; mixed down and resampled) into
    /// `destinations`, one per talker.
    /// - Parameters:
    ///   - opened: the file already open (an input that can be read only once, like a FIFO), else nil.
    ///   - warn: receives warnings (outputs turned down to avoid clipping).
    /// - Throws: `AudioIOError` for unreadable input or unwritable outputs (no partial output is left).
    public func separate(
        file path: String, to destinations: [String], opened: AudioFileReader? = nil, warn: (String) -> Void = { _ in }
    ) throws -> FileSeparationReport {
        let rate = separator.configuration.sampleRate
        let reader = try opened.map { try MonoReader(reader: $0, sampleRate: rate) } ?? MonoReader(path: path, sampleRate: rate)
        return try separate(MonoBlockSource(file: reader), input: path, to: destinations, warn: warn)
    }

    /// Separates `mixture`, held in memory at `sampleRate`, exactly as a file at that rate is separated (both passes:
    /// the windows of ``plan`` when it is longer than one, the model's rate and back, ``scaling``), so that a score
    /// computed on the result is the score of the files `sepkws separate` writes. The samples go to a float WAV in a
    /// fresh folder in `temporaryDirectory`, are separated into float WAV stems whatever ``format`` says (so that no
    /// quantization enters the scores), and are read back; the folder is removed, also when a signal ends the process.
    ///
    /// ```swift
    /// let estimates = try files.separate(mixture, sampleRate: 8_000)   // [numSpks][mixture.count]
    /// ```
    /// - Parameters:
    ///   - mixture: `[n]` at `sampleRate`.
    ///   - sampleRate: the mixture's rate (Hz).
    ///   - temporaryDirectory: where the folder of the files is made (the system's temporary folder by default).
    ///   - warn: receives warnings (stems turned down together so that none clips).
    /// - Returns: one stem per talker of the model, each `[n]` at `sampleRate`.
    /// - Throws: `AudioIOError` (`noAudio` for an empty mixture), or a failure to make the temporary folder.
    public func separate(
        _ mixture: [Float], sampleRate: Int, temporaryDirectory: String = NSTemporaryDirectory(), warn: (String) -> Void = { _ in }
    ) throws -> [[Float]] {
        let folder = (temporaryDirectory as NSString).appendingPathComponent("sepkws-separate-\(UUID().uuidString)")
        PartialFiles.register(folder)
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            PartialFiles.unregister(folder)
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let input = (folder as NSString).appendingPathComponent("mixture.wav")
        try AudioFileWriter.write(AudioBuffer(sampleRate: sampleRate, mono: mixture), to: input, format: .wavFloat)
        let stems = (1...separator.configuration.numSpks).map { (folder as NSString).appendingPathComponent("s\($0).wav") }
        var floats = self
        floats.format = .wavFloat
        _ = try floats.separate(file: input, to: stems, warn: warn)
        return try stems.map { try AudioFileReader.read(path: $0).channels[0] }
    }

    /// Separates the blocks of `source` (at the model's rate) into `destinations`, one per talker: each has exactly as
    /// many frames as the input, at the input's rate.
    /// - Parameters:
    ///   - input: the input's path (`-` for stdin), named in messages and never overwritten.
    ///   - stop: ends a live input cleanly: what was separated so far is written (and `warn` is told).
    ///   - warn: receives warnings, in order.
    /// - Throws: `AudioIOError` (`noAudio` for an empty input); no partial output is left.
    public func separate(
        _ source: MonoBlockSource, input: String, to destinations: [String], stop: StopSignal? = nil,
        warn: (String) -> Void = { _ in }
    ) throws -> FileSeparationReport {
        let start = Date()
        let modelRate = separator.configuration.sampleRate
        let name = input == "-" ? "stdin" : input
        // The buffers of this input's passes: the model is only read, so other inputs may share it meanwhile.
        let (separator, shifts, bothPolarities, workspace) = (separator, shifts, bothPolarities, separator.makeWorkspace())
        let chunked = ChunkedSeparator(plan: plan, speakers: destinations.count) {
            separator.separate($0, shifts: shifts, bothPolarities: bothPolarities, workspace: workspace)
        }
        // Pass 1: separate block by block into float files at the model rate, measuring levels on the way.
        for path in destinations { PartialFiles.register(path + ".stage.wav") }
        defer {
            for path in destinations {
                try? FileManager.default.removeItem(atPath: path + ".stage.wav")
                PartialFiles.unregister(path + ".stage.wav")
            }
        }
        let stage = try destinations.map {
            try AudioFileWriter(path: $0 + ".stage.wav", format: .wavFloat, sampleRate: modelRate, channelCount: 1, inputs: [input])
        }
        var mixtureLevel = LevelMeter(), outputLevels = [LevelMeter](repeating: LevelMeter(), count: destinations.count)
        // The mixture not yet matched by outputs (the chunked separator answers a window late), for the gains.
        var gains = StemGains(stems: destinations.count)
        var pending: [Float] = [], consumed = 0
        func write(_ parts: [[Float]]) throws {
            for (i, part) in parts.enumerated() where !part.isEmpty {
                outputLevels[i].add(part)
                try stage[i].write(AudioBuffer(sampleRate: modelRate, mono: part))
            }
            let n = parts.first?.count ?? 0
            if n > 0, parts.allSatisfy({ $0.count == n }), consumed + n <= pending.count {
                gains.add(stems: parts, mixture: pending[consumed..<(consumed + n)])
                consumed += n
                if consumed > 1 << 16 { pending.removeFirst(consumed); consumed = 0 }
            }
        }
        let stoppedBy: Int32?
        do {
            while let block = try source.next() {
                mixtureLevel.add(block)
                pending += block
                try write(chunked.push(block))
                if stop?.isRequested == true { break }
            }
            stoppedBy = stop?.signalNumber
            if let signal = stoppedBy {
                let signalName = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
                warn(String(format: "separate: stdin: ended by %@ after %.2f s of audio; writing what was separated so far",
                            signalName, Double(mixtureLevel.count) / Double(modelRate)))
            }
            stop?.cancel()   // from here on a signal removes the unfinished outputs and exits
            if mixtureLevel.count == 0 { throw AudioIOError.noAudio(path: name) }
            try write(chunked.finish())
            for writer in stage { try writer.finish() }
        } catch {
            for writer in stage { writer.cancel() }
            throw error
        }
        // Pass 2: scale, convert back to the input's rate, and write the outputs (each renamed into place when whole).
        let scale = stemGains(for: outputLevels, mixture: mixtureLevel, solved: scaling == .mixture ? gains.solve() : [], input: name, warn: warn)
        for (i, destination) in destinations.enumerated() {
            try writeStem(from: destination + ".stage.wav", to: destination, gain: scale[i], modelRate: modelRate,
                          outputRate: source.inputRate, frames: source.inputFrames, input: input)
        }
        let levels = destinations.indices.map { i -> Double? in
            let rms = outputLevels[i].rms * Double(scale[i])
            return rms > 0 ? 20 * log10(rms) : nil
        }
        let seconds = Double(mixtureLevel.count) / Double(modelRate)
        let elapsed = Date().timeIntervalSince(start)
        return FileSeparationReport(seconds: seconds, realTimeFactor: elapsed / max(seconds, 1e-9), levels: levels, stoppedBy: stoppedBy)
    }

    /// Each stem's gain under ``scaling``; stems that would pass full scale are turned down together (with a warning).
    private func stemGains(
        for outputLevels: [LevelMeter], mixture: LevelMeter, solved: [Double], input name: String, warn: (String) -> Void
    ) -> [Float] {
        var scale: [Float] = outputLevels.indices.map { i in
            switch scaling {
            case .mixture: Float(solved[i])
            case .rms: outputLevels[i].rms > 0 ? Float(mixture.rms / outputLevels[i].rms) : 1
            case .peak: outputLevels[i].peak > 0 ? mixture.peak / outputLevels[i].peak : 1
            case .none: 1
            }
        }
        let loudest = outputLevels.indices.map { outputLevels[$0].peak * scale[$0] }.max() ?? 0
        if loudest > 1 {
            let factor = Float(0.999) / loudest
            scale = scale.map { $0 * factor }
            warn(String(format: "warning: %@: outputs turned down by %.1f dB so that none clips (peak %.2f of full scale)",
                        name, -20 * log10(Double(factor)), Double(loudest)))
        }
        return scale
    }

    /// Pass 2 for one stem: the staged float file times `gain`, resampled to `outputRate`, cut or padded to `frames`
    /// (the round trip through the model's rate may end a sample short or long), written atomically.
    private func writeStem(
        from staged: String, to destination: String, gain: Float, modelRate: Int, outputRate: Int, frames: Int, input: String
    ) throws {
        let reader = try AudioFileReader(path: staged)
        let resampler = try Resampler(inputRate: modelRate, outputRate: outputRate)
        let writer = try AudioFileWriter(path: destination, format: format, sampleRate: outputRate, channelCount: 1, inputs: [input])
        var remaining = frames
        func emit(_ samples: [Float]) throws {
            let kept = samples.prefix(remaining)
            remaining -= kept.count
            if !kept.isEmpty { try writer.write(AudioBuffer(sampleRate: outputRate, mono: Array(kept))) }
        }
        do {
            while let block = try reader.read() {
                try emit(try resampler.process([block.channels[0].map { $0 * gain }])[0])
            }
            try emit(try resampler.flush()[0])
            if remaining > 0 { try emit([Float](repeating: 0, count: remaining)) }
            try writer.finish()
        } catch {
            writer.cancel()
            throw error
        }
    }
}
