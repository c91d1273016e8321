import AudioIO
import Foundation
import Testing

@Suite struct PCMStreamReaderTests {
    /// Writes `bytes` into a pipe in the given chunk sizes from another thread, then closes it.
    static func pipe(_ bytes: [UInt8], chunks: [Int]) -> Int32 {
        var fds: [Int32] = [0, 0]
        precondition(Foundation.pipe(&fds) == 0)
        let writeEnd = fds[1]
        Thread.detachNewThread {
            var offset = 0, index = 0
            while offset < bytes.count {
                let size = min(chunks[index % chunks.count], bytes.count - offset)
                _ = bytes[offset..<offset + size].withUnsafeBytes { Foundation.write(writeEnd, $0.baseAddress, size) }
                offset += size
                index += 1
                usleep(200)
            }
            close(writeEnd)
        }
        return fds[0]
    }

    @Test func shortReadsAndAPartialLastFrame() throws {
        // 5 stereo s16le frames plus 3 stray bytes, delivered 1, 3 and 2 bytes at a time.
        let values: [Int16] = [0, 1, -1, 16384, -32768, 32767, 100, -100, 7, 8]
        var bytes = values.flatMap { v in [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)] }
        bytes += [1, 2, 3]
        let fd = Self.pipe(bytes, chunks: [1, 3, 2])
        defer { close(fd) }
        let reader = try PCMStreamReader(descriptor: fd, source: "stdin", format: .s16le, sampleRate: 16_000, channelCount: 2)
        var left = [Float](), right = [Float]()
        while let block = try reader.read(maxFrames: 2) {
            #expect(block.frameCount <= 2)
            left += block.channels[0]
            right += block.channels[1]
        }
        #expect(left == [0, -1, -32768, 100, 7].map { Float($0) / 32768 })
        #expect(right == [1, 16384, 32767, -100, 8].map { Float($0) / 32768 })
        #expect(reader.droppedTrailingBytes == 3)
        #expect(reader.isFinished)
    }

    @Test func float32LittleEndian() throws {
        let values: [Float] = [0.5, -0.25, 1e-3, 0, 0.75]
        let bytes = values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
        let fd = Self.pipe(bytes, chunks: [7])
        defer { close(fd) }
        let reader = try PCMStreamReader(descriptor: fd, source: "stdin", format: .f32le, sampleRate: 8_000, channelCount: 1)
        var all = [Float]()
        while let block = try reader.read() { all += block.channels[0] }
        #expect(all == values)
        #expect(reader.droppedTrailingBytes == 0)
    }

    @Test func rejectsImpossibleParameters() {
        #expect(throws: AudioIOError.invalidParameter(name: "channel count", value: "0", reason: "must be 1 to 64")) {
            try PCMStreamReader(descriptor: 0, source: "stdin", format: .s16le, sampleRate: 16_000, channelCount: 0)
        }
    }
}
