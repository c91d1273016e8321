import Foundation

/// The element types of a safetensors file that SepKWS reads (all are converted to `Float` on load).
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    /// IEEE binary32.
    case f32 = "F32"
    /// IEEE binary16.
    case f16 = "F16"
    /// bfloat16.
    case bf16 = "BF16"

    /// Bytes per element.
    public var byteSize: Int { self == .f32 ? 4 : 2 }
}

/// A parsed `.safetensors` file: named tensors (converted to `Float`) and the `__metadata__` string map.
///
/// Format: an 8-byte little-endian header length `N`, `N` bytes of JSON
/// (`{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}`),
/// then the data section; offsets are relative to the data section.
/// Reading validates everything before touching the data: a malformed file throws a ``TensorError``,
/// never traps, and never allocates more than the file's size.
///
/// ```swift
/// let file = try SafeTensors.read(contentsOf: url)
/// let w = file.tensors["enc.conv1d.weight"]!        // [512, 1, 16]
/// try SafeTensors.write(["w": w], metadata: ["format": "pt"], dtype: .f16, to: out)
/// ```
public struct SafeTensors {
    /// The tensors by name, as `Float`.
    public var tensors: [String: Tensor]
    /// The `__metadata__` map (empty when absent).
    public var metadata: [String: String]
    /// The dtype each tensor had in the file.
    public var storedDTypes: [String: SafeTensorsDType]

    /// The largest JSON header accepted (the limit of the reference implementation).
    public static let maximumHeaderSize = 100_000_000

    /// Creates a file value from tensors and metadata.
    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
        self.storedDTypes = tensors.mapValues { _ in .f32 }
    }

    /// Reads and validates a `.safetensors` file. Every value must be finite: a file holding NaN or an infinity (a
    /// diverged training run, a damaged copy) is refused, since no model computes anything useful from it.
    /// ``decode(_:)`` alone accepts such values.
    /// - Parameter url: the file.
    /// - Throws: ``TensorError`` for unreadable or malformed files, ``TensorError/nonFiniteWeight(path:key:index:value:)``
    ///   naming the first tensor (in key order) that holds a NaN or an infinity.
    public static func read(contentsOf url: URL) throws(TensorError) -> SafeTensors {
        let data: Data
        var status = stat()
        if stat(url.path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { throw .fileAccess(path: url.path, reason: "is a directory") }
        guard access(url.path, R_OK) == 0 else { throw .fileAccess(path: url.path, reason: String(cString: strerror(errno))) }
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw .fileAccess(path: url.path, reason: error.localizedDescription)
        }
        let file = try decode(data)
        if let (key, index, value) = file.firstNonFiniteValue() {
            throw .nonFiniteWeight(path: url.path, key: key, index: index, value: value)
        }
        return file
    }

    /// The first NaN or infinity, looking at tensors in key order: its tensor, element index and value.
    public func firstNonFiniteValue() -> (key: String, index: Int, value: Float)? {
        for key in tensors.keys.sorted() {
            let values = tensors[key]!.scalars
            if let index = values.firstIndex(where: { !$0.isFinite }) { return (key, index, values[index]) }
        }
        return nil
    }

    /// Parses the bytes of a `.safetensors` file.
    /// - Parameter data: the whole file.
    /// - Throws: ``TensorError`` for malformed content.
    public static func decode(_ data: Data) throws(TensorError) -> SafeTensors {
        let result: Result<SafeTensors, TensorError> = data.withUnsafeBytes { raw in
            do throws(TensorError) { return .success(try decode(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private struct Entry {
        let key: String
        let dtype: SafeTensorsDType
        let shape: Shape
        let begin: Int
        let end: Int
    }

    private static func decode(_ raw: UnsafeRawBufferPointer) throws(TensorError) -> SafeTensors {
        guard raw.count >= 8 else { throw .safetensorsTooShort(byteCount: raw.count) }
        var declared: UInt64 = 0
        for i in 0..<8 { declared |= UInt64(raw[i]) << (8 * UInt64(i)) }
        guard declared <= UInt64(maximumHeaderSize) else {
            throw .safetensorsHeaderTooLarge(declared: declared, limit: maximumHeaderSize)
        }
        guard declared <= UInt64(raw.count - 8) else {
            throw .safetensorsHeaderPastEnd(declared: declared, available: raw.count - 8)
        }
        let headerLength = Int(declared)
        let headerBytes = Data(raw[8..<(8 + headerLength)])
        let dataStart = 8 + headerLength
        let dataSize = raw.count - dataStart
        let (entries, metadata) = try parseHeader(headerBytes, dataSize: dataSize)

        var tensors: [String: Tensor] = [:]
        var dtypes: [String: SafeTensorsDType] = [:]
        let section = UnsafeRawBufferPointer(rebasing: raw[dataStart...])
        for e in entries {
            let n = e.shape.count
            var values = [Float](repeating: 0, count: n)
            let bytes = UnsafeRawBufferPointer(rebasing: section[e.begin..<e.end])
            values.withUnsafeMutableBufferPointer { out in
                switch e.dtype {
                case .f32:
                    for i in 0..<n { out[i] = Float(bitPattern: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian) }
                case .f16:
                    for i in 0..<n { out[i] = HalfPrecision.floatFromHalf(bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian) }
                case .bf16:
                    for i in 0..<n { out[i] = HalfPrecision.floatFromBFloat(bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian) }
                }
            }
            tensors[e.key] = Tensor(values, shape: e.shape)
            dtypes[e.key] = e.dtype
        }
        var file = SafeTensors(tensors: tensors, metadata: metadata)
        file.storedDTypes = dtypes
        return file
    }

    private static func parseHeader(_ header: Data, dataSize: Int) throws(TensorError) -> ([Entry], [String: String]) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: header, options: [])
        } catch {
            throw .safetensorsInvalidHeader(reason: "the header is not valid JSON")
        }
        guard let root = object as? [String: Any] else {
            throw .safetensorsInvalidHeader(reason: "the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for key in root.keys.sorted() {
            let value = root[key]!
            if key == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw .safetensorsInvalidHeader(reason: "__metadata__ is not an object")
                }
                for (k, v) in map {
                    guard let s = v as? String else {
                        throw .safetensorsInvalidHeader(reason: "__metadata__ value for '\(k)' is not a string")
                    }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any] else {
                throw .safetensorsInvalidHeader(reason: "entry '\(key)' is not an object")
            }
            guard let dtypeName = info["dtype"] as? String else {
                throw .safetensorsInvalidHeader(reason: "entry '\(key)' has no string 'dtype'")
            }
            guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
                throw .safetensorsUnsupportedDType(key: key, dtype: dtypeName)
            }
            guard let shapeValues = info["shape"] as? [Any], let dims = integers(shapeValues), dims.allSatisfy({ $0 >= 0 }) else {
                throw .safetensorsInvalidHeader(reason: "entry '\(key)' has no 'shape' list of non-negative integers")
            }
            guard let offsetValues = info["data_offsets"] as? [Any], let offsets = integers(offsetValues), offsets.count == 2 else {
                throw .safetensorsInvalidHeader(reason: "entry '\(key)' has no 'data_offsets' pair of integers")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin, end <= dataSize else {
                throw .safetensorsOffsetsOutOfRange(key: key, begin: begin, end: end, dataSize: dataSize)
            }
            var elements = 1
            for d in dims {
                let (product, overflow) = elements.multipliedReportingOverflow(by: d)
                guard !overflow, product <= dataSize else {
                    throw .safetensorsSizeMismatch(key: key, shape: Shape(dims), dtype: dtypeName, expectedBytes: Int.max, actualBytes: end - begin)
                }
                elements = product
            }
            let shape = Shape(dims)
            guard elements * dtype.byteSize == end - begin else {
                throw .safetensorsSizeMismatch(key: key, shape: shape, dtype: dtypeName,
                                               expectedBytes: elements * dtype.byteSize, actualBytes: end - begin)
            }
            entries.append(Entry(key: key, dtype: dtype, shape: shape, begin: begin, end: end))
        }
        let byStart = entries.filter { $0.end > $0.begin }.sorted { ($0.begin, $0.key) < ($1.begin, $1.key) }
        for (previous, next) in zip(byStart, byStart.dropFirst()) where next.begin < previous.end {
            throw .safetensorsOverlappingOffsets(first: previous.key, second: next.key)
        }
        return (entries, metadata)
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var result: [Int] = []
        for v in values {
            guard let n = v as? NSNumber, let i = v as? Int, n.doubleValue == Double(i) else { return nil }
            result.append(i)
        }
        return result
    }

    /// Serializes tensors and metadata (keys sorted, data 8-byte aligned after the header).
    /// - Parameters:
    ///   - dtype: `.f32`, `.f16` (round to nearest even) or `.bf16`.
    /// - Returns: the file's bytes.
    public func encoded(dtype: SafeTensorsDType = .f32) -> Data {
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let items = metadata.keys.sorted().map { "\(Self.jsonString($0)):\(Self.jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{" + items.joined(separator: ",") + "}")
        }
        var offset = 0
        let keys = tensors.keys.sorted()
        for key in keys {
            let t = tensors[key]!
            let bytes = t.count * dtype.byteSize
            let dims = t.shape.dims.map(String.init).joined(separator: ",")
            parts.append("\(Self.jsonString(key)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(dims)],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }
        var out = Data(capacity: 8 + headerBytes.count + offset)
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for key in keys {
            let values = tensors[key]!.scalars
            var chunk = [UInt8](repeating: 0, count: values.count * dtype.byteSize)
            chunk.withUnsafeMutableBytes { raw in
                for (i, v) in values.enumerated() {
                    switch dtype {
                    case .f32: raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                    case .f16: raw.storeBytes(of: HalfPrecision.halfFromFloat(v).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                    case .bf16: raw.storeBytes(of: HalfPrecision.bfloatFromFloat(v).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                    }
                }
            }
            out.append(contentsOf: chunk)
        }
        return out
    }

    /// Writes a `.safetensors` file atomically.
    /// - Parameters:
    ///   - tensors: tensors by name.
    ///   - metadata: the `__metadata__` string map.
    ///   - dtype: the stored element type.
    ///   - url: the destination.
    /// - Throws: ``TensorError/fileAccess(path:reason:)`` when the file cannot be written.
    public static func write(
        _ tensors: [String: Tensor], metadata: [String: String] = [:], dtype: SafeTensorsDType = .f32, to url: URL
    ) throws(TensorError) {
        let data = SafeTensors(tensors: tensors, metadata: metadata).encoded(dtype: dtype)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw .fileAccess(path: url.path, reason: error.localizedDescription)
        }
    }

    private static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
