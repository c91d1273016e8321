import AudioIO
import Foundation

/// A tiny Speech Commands folder: the ten command words and `cat`, one clip per split each (a tone per word),
/// and one background noise.
public func makeTinySpeechCommands(in dir: TemporaryDirectory) throws -> String {
    let root = dir.file("sc")
    let words = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "cat"]
    var validation: [String] = [], testing: [String] = []
    for (w, word) in words.enumerated() {
        try FileManager.default.createDirectory(atPath: root + "/" + word, withIntermediateDirectories: true)
        for speaker in 0..<3 {
            let frequency = 200 + 150 * Double(w) + 20 * Double(speaker)
            let clip = (0..<16_000).map { i in i < 4_000 || i > 12_000 ? Float(0) : Float(0.3 * sin(2 * Double.pi * frequency * Double(i) / 16_000)) }
            let name = "\(word)/s\(speaker)_nohash_0.wav"
            try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: clip), to: root + "/" + name)
            if speaker == 1 { validation.append(name) }
            if speaker == 2 { testing.append(name) }
        }
    }
    try (validation.joined(separator: "\n") + "\n").write(toFile: root + "/validation_list.txt", atomically: true, encoding: .utf8)
    try (testing.joined(separator: "\n") + "\n").write(toFile: root + "/testing_list.txt", atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: root + "/_background_noise_", withIntermediateDirectories: true)
    var seed: UInt32 = 1
    let noise = (0..<48_000).map { _ -> Float in seed = seed &* 1_664_525 &+ 1_013_904_223; return Float(Int32(bitPattern: seed)) / Float(Int32.max) * 0.05 }
    try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: noise), to: root + "/_background_noise_/white_noise.wav")
    return root
}
