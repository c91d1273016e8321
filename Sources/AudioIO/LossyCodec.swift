import CSndfile
import Foundation
import Synchronization

/// A lossy codec libsndfile encodes and decodes, for round trips in memory: training audio that has been through
/// the compression a user's recordings went through. Both are decoded gapless by libsndfile 1.2 (the encoder's
/// delay and padding are trimmed), so the output lines up with the input sample for sample; the tests check it.
///
/// ```swift
/// let heard = try LossyCodec.mp3.roundTrip(speech, sampleRate: 16_000, compression: 0.7)   // [n]
/// ```
public enum LossyCodec: String, Sendable, CaseIterable, Codable {
    /// Ogg Vorbis.
    case vorbis
    /// MPEG-1/2/2.5 Layer III through LAME and mpg123.
    case mp3

    /// `samples` encoded and decoded again, as many samples as went in, aligned with them.
    /// - Parameters:
    ///   - samples: mono `[n]`, nominally within [-1, 1].
    ///   - sampleRate: their rate (Hz); MP3 takes 8-48 kHz.
    ///   - compression: libsndfile's compression level, 0 (best quality) to 1 (smallest stream).
    /// - Returns: `[n]`.
    /// - Throws: ``AudioIOError/invalidParameter(name:value:reason:)`` for a level outside 0-1 or a rate the codec
    ///   does not take; ``AudioIOError/writeFailed(path:reason:)`` or ``AudioIOError/readFailed(path:reason:)``
    ///   (path `"<vorbis in memory>"`) with libsndfile's message when encoding or decoding fails.
    public func roundTrip(_ samples: [Float], sampleRate: Int, compression: Double) throws(AudioIOError) -> [Float] {
        guard (0...1).contains(compression) else {
            throw .invalidParameter(name: "compression", value: "\(compression)", reason: "must be 0-1")
        }
        guard !samples.isEmpty else { return [] }
        let name = "<\(rawValue) in memory>"
        let memory = MemoryFile()
        // One round trip at a time in the process: LAME and mpg123 keep global tables that libsndfile does not
        // guard, and the trainers call this from several threads.
        var decoded = try Self.lock.withLock { _ throws(AudioIOError) -> [Float] in
            try encode(samples, sampleRate: sampleRate, compression: compression, into: memory, name: name)
            memory.position = 0
            return try decode(memory, name: name, frames: samples.count)
        }
        if decoded.count < samples.count { decoded += [Float](repeating: 0, count: samples.count - decoded.count) }
        return Array(decoded.prefix(samples.count))
    }

    /// Serializes the codecs' use of libsndfile.
    private static let lock = Mutex(())

    private var format: Int32 {
        switch self {
        case .vorbis: Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS)
        case .mp3: Int32(SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III)
        }
    }

    private func encode(_ samples: [Float], sampleRate: Int, compression: Double, into memory: MemoryFile,
                        name: String) throws(AudioIOError) {
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = 1
        info.format = format
        guard sf_format_check(&info) != 0 else {
            throw .invalidParameter(name: "sample rate", value: "\(sampleRate) Hz", reason: "\(rawValue) cannot encode it")
        }
        var io = MemoryFile.callbacks
        let unmanaged = Unmanaged.passUnretained(memory).toOpaque()
        guard let file = sf_open_virtual(&io, Int32(SFM_WRITE), &info, unmanaged) else {
            throw .writeFailed(path: name, reason: String(cString: sf_strerror(nil)))
        }
        var level = compression
        sf_command(file, Int32(SFC_SET_COMPRESSION_LEVEL), &level, Int32(MemoryLayout<Double>.size))
        // Past the end, zeros flush the encoder's look-ahead so that the decoded stream covers every input sample.
        let padded = samples + [Float](repeating: 0, count: 2_304)
        let written = padded.withUnsafeBufferPointer { sf_writef_float(file, $0.baseAddress, sf_count_t($0.count)) }
        let message = written == padded.count ? nil : String(cString: sf_strerror(file))
        sf_close(file)
        if let message { throw .writeFailed(path: name, reason: message) }
    }

    private func decode(_ memory: MemoryFile, name: String, frames: Int) throws(AudioIOError) -> [Float] {
        var info = SF_INFO()
        var io = MemoryFile.callbacks
        let unmanaged = Unmanaged.passUnretained(memory).toOpaque()
        guard let file = sf_open_virtual(&io, Int32(SFM_READ), &info, unmanaged) else {
            throw .readFailed(path: name, reason: String(cString: sf_strerror(nil)))
        }
        defer { sf_close(file) }
        var out = [Float](repeating: 0, count: frames * Int(max(info.channels, 1)))
        let read = out.withUnsafeMutableBufferPointer { sf_readf_float(file, $0.baseAddress, sf_count_t(frames)) }
        guard read >= 0 else { throw .readFailed(path: name, reason: String(cString: sf_strerror(file))) }
        if info.channels > 1 { out = stride(from: 0, to: Int(read) * Int(info.channels), by: Int(info.channels)).map { out[$0] } }
        return Array(out.prefix(Int(read)))
    }
}

/// A growable byte buffer that libsndfile reads and writes as a file (its virtual I/O).
final class MemoryFile {
    var bytes: [UInt8] = []
    var position = 0

    /// The callbacks; `user_data` is an unretained `MemoryFile`.
    static var callbacks: SF_VIRTUAL_IO {
        SF_VIRTUAL_IO(
            get_filelen: { user in sf_count_t(MemoryFile.from(user).bytes.count) },
            seek: { offset, whence, user in
                let file = MemoryFile.from(user)
                let base = whence == SEEK_CUR ? file.position : whence == SEEK_END ? file.bytes.count : 0
                file.position = max(0, base + Int(offset))
                return sf_count_t(file.position)
            },
            read: { pointer, count, user in
                let file = MemoryFile.from(user)
                let n = max(0, min(Int(count), file.bytes.count - file.position))
                if n > 0, let pointer {
                    file.bytes.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress! + file.position, byteCount: n) }
                }
                file.position += n
                return sf_count_t(n)
            },
            write: { pointer, count, user in
                let file = MemoryFile.from(user)
                let n = Int(count)
                guard n > 0, let pointer else { return 0 }
                if file.position + n > file.bytes.count { file.bytes += [UInt8](repeating: 0, count: file.position + n - file.bytes.count) }
                file.bytes.withUnsafeMutableBytes { ($0.baseAddress! + file.position).copyMemory(from: pointer, byteCount: n) }
                file.position += n
                return sf_count_t(n)
            },
            tell: { user in sf_count_t(MemoryFile.from(user).position) })
    }

    static func from(_ user: UnsafeMutableRawPointer?) -> MemoryFile {
        Unmanaged<MemoryFile>.fromOpaque(user!).takeUnretainedValue()
    }
}
