import Foundation
import Testing

/// Locates committed fixture files (Tests/TestSupport/Fixtures/...).
public enum Fixtures {
    /// The absolute path of `Fixtures/<relativePath>`.
    public static func path(_ relativePath: String) throws -> String {
        guard let root = Bundle.module.resourceURL?.appendingPathComponent("Fixtures") else {
            throw FixtureError.missing(name: relativePath)
        }
        let url = root.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else { throw FixtureError.missing(name: relativePath) }
        return url.path
    }
}

/// A fresh temporary folder, removed by ``remove()``.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("sepkws-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `path/name`.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Expects `actual` to match `expected` element-wise within `tolerance * max|expected|` (the issue's "to 1e-4 of the
/// largest value"), reporting the worst index.
public func expectClose(
    _ actual: [Float], _ expected: [Float], relativeToMax tolerance: Float, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
    guard actual.count == expected.count else { return }
    let scale = expected.map(abs).max() ?? 0
    var worst = 0, worstError: Float = 0
    for i in actual.indices where abs(actual[i] - expected[i]) > worstError {
        worstError = abs(actual[i] - expected[i])
        worst = i
    }
    #expect(
        worstError <= tolerance * max(scale, .leastNormalMagnitude),
        "\(what): max error \(worstError) at \(worst) (got \(actual.isEmpty ? 0 : actual[worst]), expected \(expected.isEmpty ? 0 : expected[worst])), allowed \(tolerance * scale)",
        sourceLocation: sourceLocation)
}
