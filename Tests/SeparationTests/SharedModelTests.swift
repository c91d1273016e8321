import Dispatch
import Foundation
import NN
import Separation
import TensorCore
import Testing
import TestSupport

/// One loaded separator shared by several streams, each with a workspace of its own (whisper.cpp's context/state
/// split): inference only reads the model, so the streams' outputs are those of using it one stream after another.
@Suite struct SharedModelTests {
    /// Two streams' windows: different lengths, so each workspace holds another frame count and position table.
    static func streams() -> [[[Float]]] {
        var rng = SplitMix64(seed: 11)
        let lengths = [[1_203, 2_001, 1_203], [800, 1_600, 640]]
        return lengths.map { $0.map { n in (0..<n).map { _ in 0.3 * rng.nextNormal() } } }
    }

    static func model() throws -> MossFormer2Separator {
        var configuration = MossFormer2Configuration.tiny
        configuration.numMossformerLayer = 2
        return try MossFormer2Separator(configuration: configuration, dropout: 0, seed: 5)
    }

    /// Window i of stream 0, window i of stream 1, ..., each stream on a workspace of its own: `[streams][windows]`.
    static func interleaved(_ streams: [[[Float]]], on model: MossFormer2Separator) -> [[[[Float]]]] {
        let workspaces = streams.map { _ in model.makeWorkspace() }
        var outputs = [[[[Float]]]](repeating: [], count: streams.count)
        for window in 0..<streams[0].count {
            for stream in streams.indices {
                outputs[stream].append(model.separate(streams[stream][window], workspace: workspaces[stream]))
            }
        }
        return outputs
    }

    @Test func interleavedStreamsOnTwoWorkspacesGiveTheSequentialOutputs() throws {
        let model = try Self.model()
        let streams = Self.streams()
        // Sequential use: one stream after the other, on one workspace.
        let single = model.makeWorkspace()
        let sequential = streams.map { $0.map { model.separate($0, workspace: single) } }
        // Interleaved: window i of stream 0, window i of stream 1, ..., each stream on its own workspace.
        let interleaved = Self.interleaved(streams, on: model)
        #expect(interleaved == sequential)
        #expect(sequential[0][0].count == 2 && sequential[0][0][0].count == 1_203 && sequential[1][2][1].count == 640)
        // A temporary workspace (the convenience call) agrees too.
        #expect(model.separate(streams[1][0]) == sequential[1][0])
    }

    @Test func twoThreadsOnOneModelGiveTheSequentialOutputs() throws {
        let shared = SharedModel(model: try Self.model())
        let streams = Self.streams()
        let single = shared.model.makeWorkspace()
        let sequential = streams.map { $0.map { shared.model.separate($0, workspace: single) } }
        let results = ResultSlots(count: streams.count)
        DispatchQueue.concurrentPerform(iterations: streams.count) { stream in
            let workspace = shared.model.makeWorkspace()
            // Twice over, so the two threads overlap for a while.
            var outputs: [[[Float]]] = []
            for _ in 0..<2 { outputs = streams[stream].map { shared.model.separate($0, workspace: workspace) } }
            results.store(outputs, at: stream)
        }
        for stream in streams.indices {
            let outputs = try #require(results.value(at: stream))
            #expect(outputs.count == sequential[stream].count)
            for (a, b) in zip(outputs, sequential[stream]) {
                // The worker pool runs a call's parallel parts on the calling thread when another call holds it;
                // the partition by worker is the same, so the values agree to rounding at most.
                let worst = zip(a.joined(), b.joined()).map { abs($0 - $1) }.max() ?? .infinity
                #expect(a.map(\.count) == b.map(\.count) && worst <= 1e-6, "stream \(stream): max difference \(worst)")
            }
        }
    }

    /// A compressed model's per-block widths (`compress`): the caller's workspace is sized for the widest block and
    /// serves every block, reused across lengths and streams, and agrees with the autograd path.
    @Test func perBlockWidthsRunOnACallerOwnedWorkspace() throws {
        var configuration = MossFormer2Configuration.tiny
        configuration.numMossformerLayer = 3
        (configuration.attentionHiddenDims, configuration.queryKeyDims, configuration.fsmnHiddenDims) = ([32, 5, 48], [8, 12, 10], [8, 3, 13])
        let model = try MossFormer2Separator(configuration: configuration, dropout: 0, seed: 7)
        let streams = Self.streams()
        let single = model.makeWorkspace()
        #expect(single.configuration == configuration)
        let sequential = streams.map { $0.map { model.separate($0, workspace: single) } }
        let interleaved = Self.interleaved(streams, on: model)
        #expect(interleaved == sequential)
        // The autograd path (no workspace) gives the same outputs.
        for (stream, windows) in streams.enumerated() {
            for (index, window) in windows.enumerated() {
                let graph = model(Tensor(window, shape: [1, window.count])).scalars
                let fused = sequential[stream][index].flatMap { $0 }
                let scale = max(graph.map(abs).max() ?? 0, 1e-6)
                let worst = zip(graph, fused).map { abs($0 - $1) }.max() ?? .infinity
                #expect(graph.count == fused.count && worst <= 1e-4 * scale, "stream \(stream) window \(index): \(worst)")
            }
        }
    }

    @Test func theBatchOutputIsBatchSpeakersTime() throws {
        let model = try Self.model()
        var rng = SplitMix64(seed: 2)
        let batch = Tensor.randomNormal([3, 900], standardDeviation: 0.3, using: &rng)
        let out = Autograd.withInferenceMode { model(batch, workspace: model.makeWorkspace()) }
        #expect(out.shape.dims == [3, 2, 900])
        // Row b of the batch is the separation of mixture b alone.
        let values = out.scalars, mixtures = batch.scalars
        for b in 0..<3 {
            let alone = model.separate(Array(mixtures[(b * 900)..<((b + 1) * 900)]))
            for c in 0..<2 {
                let row = Array(values[((b * 2 + c) * 900)..<((b * 2 + c + 1) * 900)])
                let worst = zip(row, alone[c]).map { abs($0 - $1) }.max() ?? .infinity
                #expect(worst <= 1e-5, "item \(b), speaker \(c): max difference \(worst)")
            }
        }
    }
}

/// The model handed to the test's threads. `@unchecked Sendable` is sound here: inference never writes the model
/// (its buffers are in the per-thread workspaces), and nothing trains or sets `trace` while the threads run.
private final class SharedModel: @unchecked Sendable {
    let model: MossFormer2Separator
    init(model: MossFormer2Separator) { self.model = model }
}

/// Each thread's outputs, behind a lock.
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[[[Float]]]?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func store(_ value: [[[Float]]], at index: Int) { lock.withLock { slots[index] = value } }
    func value(at index: Int) -> [[[Float]]]? { lock.withLock { slots[index] } }
}
