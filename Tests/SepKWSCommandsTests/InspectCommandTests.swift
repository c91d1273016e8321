import Foundation
import KeywordSpotting
import Separation
@testable import SepKWSCommands
import Testing
import TestSupport

/// `sepkws inspect`: the shipped models' facts, computed from their files.
@Suite struct InspectCommandTests {
    @Test func reportsTheShippedModelsFromTheirFiles() throws {
        let result = try CommandLineRunner.run(["inspect", "--json", "Models/kws-cab-12", "Models/mossformer2-8k"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count == 2)
        let kws = try #require(lines[0]), separator = try #require(lines[1])
        #expect(kws["kind"] as? String == "keyword-spotter" && separator["kind"] as? String == "separator")
        #expect((kws["labels"] as? [String])?.count == 12 && separator["speakers"] as? Int == 2)
        #expect(kws["dtype"] as? String == "F16" && kws["sample_rate"] as? Int == 16_000)
        // The counts agree with the libraries' own: parameters of the loaded classifier, MACs of the configurations.
        let classifier = try KeywordSpotter.loadModel(directory: "Models/kws-cab-12")
        #expect(kws["parameters"] as? Int == classifier.parameterCount)
        let perWindow = Double(try KeywordSpotter.loadConfiguration(directory: "Models/kws-cab-12").multiplyAccumulatesPerWindow)
        #expect(kws["macs_per_window"] as? Double == perWindow && kws["macs_per_second"] as? Double == perWindow / 0.08)
        let configuration = try MossFormer2Configuration(contentsOf: "Models/mossformer2-8k/config.json")
        #expect(separator["macs_per_second"] as? Double == configuration.multiplyAdds(samples: 8_000))
        #expect(separator["both_polarities"] as? Bool == true)
        let size = try FileManager.default.attributesOfItem(atPath: "Models/mossformer2-8k/model.safetensors")[.size] as? Int
        #expect(separator["file_bytes"] as? Int == size)
    }

    /// The shipped compressed models: each names its shipped parent and budget, stays within that share of the
    /// parent's multiply-adds (as `inspect` counts them), is smaller, and loads and runs with the ordinary commands.
    @Test func theShippedCompressedModelsNameTheirParentsAndKeepTheirBudgets() throws {
        for (child, parent, budget) in [("kws-cab-12-third", "kws-cab-12", 0.33), ("mossformer2-8k-half", "mossformer2-8k", 0.5)] {
            let result = try CommandLineRunner.run(["inspect", "--json", "Models/" + child, "Models/" + parent])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let (small, big) = (try #require(lines.first), try #require(lines.last))
            #expect(small["parent"] as? String == parent && small["kind"] as? String == big["kind"] as? String)
            let (smallMACs, bigMACs) = (try #require(small["macs_per_second"] as? Double), try #require(big["macs_per_second"] as? Double))
            #expect(smallMACs <= budget * bigMACs && smallMACs > 0.9 * budget * bigMACs, "\(child): \(smallMACs) of \(bigMACs)")
            #expect(try #require(small["parameters"] as? Int) < (try #require(big["parameters"] as? Int)))
        }
        let third = try KeywordSpotter.loadModel(directory: "Models/kws-cab-12-third")
        #expect(third.configuration.attentionHeads == [3] && third.configuration.layers == 1)
        #expect(third.configuration.thresholds?.count == 10)
        let half = try MossFormer2Configuration(contentsOf: "Models/mossformer2-8k-half/config.json")
        #expect(half.compressionBudget == 0.5 && half.attentionHiddenDims?.count == 6)
    }

    @Test func aFolderThatIsNotAModelIsAnInputError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let result = try CommandLineRunner.run(["inspect", dir.path])
        #expect(result.status == 1 && result.stderr.contains("config.json"))
        #expect(try CommandLineRunner.run(["inspect"]).status == 2)
    }
}
