import Foundation
import Voices

/// Reads the 16-bit PCM WAV streams the synthesizers' programs write (espeak-ng's to stdout has placeholder sizes).
enum WAVDecoder {
    /// The speech an engine wrote to the WAV file `path`, scaled by `voice`'s gain.
    /// - Throws: ``SynthesisError/noAudio(text:voice:)`` when the file is missing, not such a WAV, or empty.
    static func speech(inFile path: String, text: String, voice: Voice) throws(SynthesisError) -> (samples: [Float], sampleRate: Int) {
        guard let bytes = FileManager.default.contents(atPath: path), let wav = decode([UInt8](bytes)), !wav.samples.isEmpty else {
            throw .noAudio(text: text, voice: voice.identity)
        }
        return (voice.applyingGain(to: wav.samples), wav.sampleRate)
    }

    /// The samples and rate of a 16-bit mono or interleaved WAV (channels averaged).
    /// - Returns: samples in [-1, 1), `[n]`, and the rate; nil when `bytes` is not such a WAV.
    static func decode(_ bytes: [UInt8]) -> (samples: [Float], sampleRate: Int)? {
        guard bytes.count > 44, bytes[0..<4] == [0x52, 0x49, 0x46, 0x46] else { return nil }
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        var offset = 12, rate = 0, channels = 1, bits = 16
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = u32(offset + 4)
            if id == "fmt ", offset + 24 <= bytes.count {
                channels = max(1, u16(offset + 10))
                rate = u32(offset + 12)
                bits = u16(offset + 22)
            }
            if id == "data" {
                guard bits == 16, rate > 0 else { return nil }
                let start = offset + 8
                // Sizes may be placeholders (0 or 0xFFFFFFFF) in a stream: read to the end then.
                let end = size > 0 && start + size <= bytes.count ? start + size : bytes.count
                let frames = (end - start) / (2 * channels)
                var samples = [Float](repeating: 0, count: frames)
                for f in 0..<frames {
                    var sum: Float = 0
                    for c in 0..<channels {
                        let i = start + 2 * (f * channels + c)
                        sum += Float(Int16(bitPattern: UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8))
                    }
                    samples[f] = sum / (32768 * Float(channels))
                }
                return (samples, rate)
            }
            offset += 8 + size + (size & 1)
        }
        return nil
    }
}
