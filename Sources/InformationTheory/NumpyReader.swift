import Foundation

/// A NumPy `.npy` array read whole, for the commands that take data arrays: float32 or float64 `[n]` or `[n, d]`,
/// or int64 `[n]`, little-endian, C order (format versions 1.0, 2.0 and 3.0). Anything else is refused with a
/// ``InformationTheoryError/inputFile(path:reason:)`` naming the file.
public struct NumpyReader {
    /// What the file holds.
    public enum Contents: Equatable, Sendable {
        /// Float32 or float64 values as `[n, d]` samples (a `[n]` array is `[n, 1]`).
        case samples(SampleMatrix)
        /// Int64 values `[n]`.
        case integers([Int])
    }

    /// The path as given.
    public let path: String
    /// The array's shape, outermost first.
    public let shape: [Int]
    /// The NumPy type string (`<f4`, `<f8` or `<i8`).
    public let descriptor: String
    /// The values.
    public let contents: Contents

    /// Reads and checks `path`.
    /// - Throws: ``InformationTheoryError/inputFile(path:reason:)`` for an unreadable file, a malformed header, another
    ///   element type or byte order, Fortran order, another rank, or a size that does not match the shape.
    public init(path: String) throws(InformationTheoryError) {
        self.path = path
        func failure(_ reason: String) -> InformationTheoryError { .inputFile(path: path, reason: reason) }
        guard FileManager.default.fileExists(atPath: path) else { throw failure("no such file") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw failure("cannot read: \((error as NSError).localizedDescription)")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw failure("not a NumPy .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        guard (1...3).contains(major) else { throw failure("unsupported .npy format version \(major).\(bytes[7])") }
        let lengthBytes = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthBytes else { throw failure("truncated .npy header") }
        let headerLength = (0..<lengthBytes).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        let start = 8 + lengthBytes
        guard bytes.count >= start + headerLength else { throw failure("truncated .npy header") }
        let header = String(decoding: bytes[start..<start + headerLength], as: UTF8.self)

        guard let descriptor = Self.quotedValue(of: "descr", in: header) else { throw failure("no 'descr' in the header: \(header)") }
        self.descriptor = descriptor
        guard let shape = Self.shape(in: header) else { throw failure("no readable 'shape' in the header: \(header)") }
        self.shape = shape
        let elementSize: Int
        switch descriptor {
        case "<f4": elementSize = 4
        case "<f8", "<i8": elementSize = 8
        default:
            throw failure("element type '\(descriptor)' is not supported (float32 '<f4', float64 '<f8' or int64 '<i8', little-endian)")
        }
        if header.contains("'fortran_order': True") && shape.count > 1 {
            throw failure("Fortran-order arrays are not supported: save with np.ascontiguousarray")
        }
        guard let rows = shape.first, shape.count <= 2 else {
            throw failure("shape \(Self.describe(shape)): expected [n] or [n, d]")
        }
        let columns = shape.count == 2 ? shape[1] : 1
        guard rows > 0, columns > 0 else { throw failure("shape \(Self.describe(shape)) holds no samples") }
        let count = rows * columns
        let body = bytes.count - start - headerLength
        guard body == count * elementSize else {
            throw failure("\(body) data bytes, but shape \(Self.describe(shape)) of '\(descriptor)' needs \(count * elementSize)")
        }
        let offset = start + headerLength
        switch descriptor {
        case "<i8":
            guard shape.count == 1 else { throw failure("int64 arrays are read as labels and must be [n], not \(Self.describe(shape))") }
            contents = .integers(bytes.withUnsafeBytes { raw in
                (0..<count).map { Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8 * $0, as: Int64.self))) }
            })
        case "<f4":
            contents = .samples(SampleMatrix(rows: rows, columns: columns, values: bytes.withUnsafeBytes { raw in
                (0..<count).map {
                    Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * $0, as: UInt32.self))))
                }
            }))
        default:
            contents = .samples(SampleMatrix(rows: rows, columns: columns, values: bytes.withUnsafeBytes { raw in
                (0..<count).map {
                    Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8 * $0, as: UInt64.self)))
                }
            }))
        }
    }

    /// The number of samples `n`.
    public var rows: Int { shape[0] }

    /// `[n, d]` or `[n]`, as the messages print shapes.
    public static func describe(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

    /// The string value of `'key': '...'` in a header dictionary.
    private static func quotedValue(of key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") else { return nil }
        let rest = header[keyRange.upperBound...].drop { $0 == ":" || $0 == " " }
        guard let quote = rest.first, quote == "'" || quote == "\"" else { return nil }
        let value = rest.dropFirst().prefix { $0 != quote }
        return String(value)
    }

    /// The integers of `'shape': (a, b, ...)`.
    private static func shape(in header: String) -> [Int]? {
        guard let keyRange = header.range(of: "'shape'") else { return nil }
        let rest = header[keyRange.upperBound...].drop { $0 == ":" || $0 == " " }
        guard rest.first == "(", let close = rest.firstIndex(of: ")") else { return nil }
        let items = rest[rest.index(after: rest.startIndex)..<close].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let dimensions = items.compactMap { Int($0) }
        return dimensions.count == items.count && dimensions.allSatisfy { $0 >= 0 } ? dimensions : nil
    }
}
