import ArgumentParser
import Foundation
@testable import SepKWSCommands
import TensorCore
import Testing

/// `--threads` is one option (``ThreadOptions``) in every command, setting every pool; `detect`, `eval-stream` and
/// `bench detect` keep their default of one thread.
@Suite(.serialized) struct ThreadOptionsTests {
    @Test func theStreamingCommandsTakeTheSharedOption() throws {
        #expect(try Detect.parse(["-", "--threads", "3"]).threading.requested == 3)
        #expect(try Detect.parse(["-"]).threading.requested == nil)
        #expect(try EvalStream.parse(["--labels", "l.csv", "--threads", "2"]).threading.requested == 2)
        #expect(try BenchDetect.parse(["--threads", "4"]).threading.requested == 4)
        // Raw PCM's sample format is --pcm-format in detect as in separate (--format still reads).
        #expect(try Detect.parse(["-", "--pcm-format", "f32le"]).pcmFormat == .f32le)
        #expect(try Detect.parse(["-", "--format", "f32le"]).pcmFormat == .f32le)
        #expect(throws: (any Error).self) { try Detect.parse(["-", "--threads", "0"]) }
        do {
            _ = try Detect.parse(["-", "--threads", "300"])
            Issue.record("--threads 300 was accepted")
        } catch {
            #expect(Detect.message(for: error) == "--threads 300: must be 1 to 256")
        }
    }

    /// The count each command passes to `Threading.setThreads` (which sets every pool: ThreadingSettingsTests).
    /// Other suites' commands set the pools at the same time, so only the count asked for is checked here.
    @Test func applyUsesTheCountElseTheCommandsDefault() throws {
        let (blas, elementwise) = (Threading.blasThreads, Threading.elementwiseThreads)
        defer {
            Threading.setBLASThreads(blas)
            Threading.setElementwiseThreads(elementwise)
        }
        #expect(try Detect.parse(["-"]).threading.apply(default: 1) == 1)
        #expect(try Detect.parse(["-", "--threads", "2"]).threading.apply(default: 1) == 2)
        // Without a default of its own, a command uses every core.
        #expect(try Classify.parse(["a.wav"]).threading.apply() == ProcessInfo.processInfo.activeProcessorCount)
    }
}
