import Foundation

/// A float32 array read from a NumPy `.npy` file (little-endian, C order), for fixtures.
public struct NumpyArray: Sendable {
    /// Dimensions, outermost first.
    public var shape: [Int]
    /// Values in C order.
    public var values: [Float]

    /// Reads `path`.
    public init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count >= 10, data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) else {
            throw FixtureError.malformed(path: path, reason: "not a .npy file")
        }
        let major = data[6]
        let headerLength = major == 1 ? Int(data[8]) | Int(data[9]) << 8
            : Int(data[8]) | Int(data[9]) << 8 | Int(data[10]) << 16 | Int(data[11]) << 24
        let start = major == 1 ? 10 : 12
        let header = String(decoding: data[start..<start + headerLength], as: UTF8.self)
        guard header.contains("'<f4'"), header.contains("'fortran_order': False") else {
            throw FixtureError.malformed(path: path, reason: "expected little-endian float32 in C order: \(header)")
        }
        guard let open = header.firstIndex(of: "("), let close = header.firstIndex(of: ")") else {
            throw FixtureError.malformed(path: path, reason: "no shape")
        }
        shape = header[header.index(after: open)..<close].split(separator: ",").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        let count = shape.reduce(1, *)
        let body = data[(start + headerLength)...]
        guard body.count == count * 4 else {
            throw FixtureError.malformed(path: path, reason: "\(body.count) data bytes for shape \(shape)")
        }
        values = body.withUnsafeBytes { raw in (0..<count).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
    }
}

/// A fixture that is missing or not what the test expects.
public enum FixtureError: Error, CustomStringConvertible {
    case missing(name: String)
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let name): "fixture \(name) not found in the TestSupport bundle"
        case .malformed(let path, let reason): "\(path): \(reason)"
        }
    }
}
